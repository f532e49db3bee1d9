# Dockerfile - a container image of erpipe: the programs, the manual
# pages, the maps and schemas, the example flows, the systemd units and the
# Kubernetes manifests (make install, PREFIX=/usr/local), on Debian 12.
#
#   docker build -t erpipe .
#   docker run --rm erpipe odoo-extract --version
#   docker run --rm erpipe mandoc -Tutf8 /usr/local/share/man/man7/erpipe.7
#
# Two stages: the build installs what make needs (make deps, the build
# libraries of the Makefile's DEB_PKGS) and runs make && make install; the
# image holds only the result and the run-time libraries, and runs as the
# user erpipe (uid 10001, as examples/k8s expects), its home
# /var/lib/erpipe the place for state.  Connection profiles:
# ERPIPE_CONFIG (examples/k8s mounts them from a ConfigMap, the secrets
# from a Secret).  tests/0939-container.t checks the recipe without a
# Docker daemon: the run-time packages cover every library the programs
# link, the build packages are the Makefile's.
FROM debian:bookworm-slim AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	make ca-certificates
WORKDIR /src
COPY . .
RUN make deps DEB_PKGS="build-essential pkg-config libcurl4-openssl-dev libcjson-dev \
	libxml2-dev libcsv-dev libssl-dev libpcre2-dev libmicrohttpd-dev libpq-dev \
	libxlsxwriter-dev" \
 && make -j"$(nproc)" \
 && make install DESTDIR=/out PREFIX=/usr/local

FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	ca-certificates libcurl4 libcjson1 libxml2 libcsv3 libssl3 libpcre2-8-0 \
	libmicrohttpd12 libpq5 libxlsxwriter4 zlib1g jq mandoc \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/erpipe --create-home \
	--shell /usr/sbin/nologin erpipe
COPY --from=build /out/usr/local /usr/local
USER 10001:10001
WORKDIR /var/lib/erpipe
ENV ERPIPE_CONFIG=/etc/erpipe/connections.conf
CMD ["odoo-extract", "--help"]
