#!/bin/sh
# examples/scripts/people-and-leads against the BNG and Odoo sandboxes, run as
# examples/cron/people-and-leads runs it.  Employees: BNG's reach Odoo and
# Odoo's reach BNG, with their fields and managers, each copy holding its
# origin's id (BNG ExternalID "odoo:ID", Odoo external id
# "bng.employee_EmployeeID"); Odoo's own fields (work_contact_id, coach_id,
# job_id) stay Odoo's; a change where an employee was made travels,
# archiving too, and an edit of a copy does not travel back.  Leads: a CRM's
# CSV export reaches Odoo's crm.lead (external id "ext_crm.lead_RecordID";
# stage, probability, salesperson and team are Odoo's), rows of Odoo's own
# leads are left out, and Odoo's own leads that changed go to a new CSV for
# the CRM, once.  A run with nothing new writes nothing either way; a
# refused record stops the flow with 65; a run that finds the last one
# going skips its turn; usage 64.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo
sandbox_start bng --records 0
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/flow.sh"

# ---- BNG's employees --------------------------------------------------------------
emp() { # JSON: a new BNG employee, its EmployeeID
	api POST /employees "$1" >/dev/null
	[ "$api_status" = 201 ] || echo "# POST $1: $api_status $(cat "$T/.api")"
	jq .EmployeeID "$T/.api"
}
ada=$(emp '{"FirstName":"Ada","LastName":"Byron","Email":"ada@bng.example","Phone":"+44 20 7946 0001","JobTitle":"Analyst","Department":"Sales","Status":"Active"}')
cora=$(emp "{\"FirstName\":\"Cora\",\"LastName\":\"Vale\",\"Department\":\"Management / Professional Services\",\"ManagerID\":$ada,\"Status\":\"OnLeave\"}")
odoo_n=$(rpc hr.employee search_count '[[]]')
ok "Odoo has employees of its own ($odoo_n)" test "$odoo_n" -gt 5

# ---- the cron entry ---------------------------------------------------------------
flow_cron people-and-leads '\*/15 \* \* \* \*' people
W=$T/people
pl() { run sh -c "$cmd" >"$T/out" 2>"$T/err"; [ "$st" = 0 ] || sed 's/^/#   /' "$T/err" | head -5; }
# both sides as one line per employee, by name: e-mail, phone, job title,
# department, manager's name, archived
odoo_view() {
	rpc hr.employee search_read '[[["active","in",[true,false]]]]' \
		'{"fields":["name","work_email","work_phone","job_title","department_id","parent_id","active"]}' |
		jq -r '.[] | [.name, (.work_email // ""), (.work_phone // ""), (.job_title // ""),
			(.department_id[1]? // ""), (.parent_id[1]? // ""), (if .active then "" else "archived" end)] | join("|")' |
		sort
}
bng_view() {
	b employees | jq -sr 'map(select(.EmployeeID)) | (map({key: (.EmployeeID | tostring), value: .}) | from_entries) as $e |
		.[] | [(if .FirstName == .LastName then .FirstName else .FirstName + " " + .LastName end),
		(.Email // ""), (.Phone // ""), (.JobTitle // ""), (.Department // ""),
		(if .ManagerID then ($e[.ManagerID | tostring] | .FirstName + " " + .LastName) else "" end),
		(if .Status == "Terminated" then "archived" else "" end)] | join("|")' | sort
}
# fifteen minutes on, as from cron: past the extractors' overlap (300 s), so
# a run reads again only what changed since the last one
off=0
later() {
	off=$((off + 900))
	sandbox_control odoo POST odoo/clock "{\"offset\":$off}" >/dev/null
	sandbox_control bng POST bng/clock "{\"offset\":$off}" >/dev/null
	BNG_TOKEN=
}
same_sides() { # TEXT
	odoo_view >"$T/ov"
	bng_view >"$T/bv"
	same_file "$T/ov" "$T/bv" "$1"
}

# ---- the CRM's export of its leads, where the cron job's directory has it -------------
mkdir -p "$W/crm/in"
crm_export() { # AMOUNT of 9001
	cat >"$W/crm/in/leads.csv" <<EOF_CSV
Record ID,Deal Name,Type,Company Name,Contact Name,Email,Phone,Amount,Close Date,Odoo ID
9001,Acme - 40 desks,Deal,Acme Corp,Rita Ray,rita@acme.example,+1 555 0100,$1,2026-12-31,
9002,Website enquiry,Lead,,Pat Prospect,prospect@example.com,,,,
9003,Office Design Project,Deal,Deco Addict,,lead1@example.com,,99,,odoo:1
EOF_CSV
}
crm_export 12500
leads_n=$(rpc crm.lead search_count '[[]]')
own_leads=$(rpc crm.lead search '[[]]' '{"order":"id"}' | jq -r 'map("odoo:\(.)") | join(" ")')
ok "Odoo has leads of its own ($leads_n)" test "$leads_n" -gt 5
lead() { # RECORD_ID: the Odoo lead holding ext_crm.lead_RECORD_ID, as JSON
	_l=$(rpc ir.model.data search_read "[[[\"module\",\"=\",\"ext_crm\"],[\"name\",\"=\",\"lead_$1\"]]]" '{"fields":["res_id"]}' | jq '.[0].res_id')
	rpc crm.lead read "[[$_l]]" '{"fields":["name","type","partner_name","contact_name","email_from","phone","expected_revenue","date_deadline","stage_id","probability","user_id","team_id","lead_properties"]}' | jq -c '.[0] | del(.id)'
}
exported() { # the rows of the files for the CRM since the marker, as JSON lines
	find "$W/crm/out" -name 'leads-*.csv' -newer "$T/mark" | sort | xargs -r cat |
		xform -q -i csv | jq -c '{id: ."Odoo ID", name: ."Deal Name", stage: ."Odoo Stage", phone: .Phone}'
}
touch "$T/mark"
sleep 1

# ---- 1: each side's employees reach the other -----------------------------------------
pl
is "$st" 0 "people-and-leads: status 0"
is "$(sed -n 1,5p "$T/out")" "employees-in: 2 created
employees-out: $odoo_n created
managers-in: 1 updated
managers-out: $((odoo_n - 1)) updated
leads-in: 2 created" "the run says what moved"
like "$(sed -n 6p "$T/out")" "^leads-out: $leads_n exported to $W/crm/out/leads-[0-9]{8}T[0-9]{6}Z\\.csv\$" "...and where the leads for the CRM are"
is "$(b employees | jq -s 'map(select(.EmployeeID)) | length')" "$((odoo_n + 2))" "BNG has Odoo's employees and its own, once each"
is "$(rpc hr.employee search_count '[[["active","in",[true,false]]]]')" "$((odoo_n + 2))" "...and so has Odoo"
same_sides "...the same people on both sides: names, e-mail, phone, job title, department, manager"
ok "...with names and departments (Odoo's full path)" grep -q "^Cora Vale||||Management / Professional Services|Ada Byron|\$" "$T/ov"
is "$(b employees | jq -sr 'map(select(.EmployeeID and .ExternalID == null)) | map(.EmployeeID) | sort | map(tostring) | join(" ")')" "$ada $cora" \
	"BNG's own employees have no ExternalID: they are BNG's"
is "$(b employees | jq -sr 'map(select(.ExternalID)) | map(.ExternalID | test("^odoo:[0-9]+$")) | unique | map(tostring) | join(" ")')" true \
	"...Odoo's have their Odoo id in it"
xid() { rpc ir.model.data search_read "[[[\"module\",\"=\",\"bng\"],[\"name\",\"=\",\"employee_$1\"]]]" '{"fields":["res_id","model"]}' | jq -r '.[0] | "\(.model) \(.res_id)"'; }
ada_o=$(xid "$ada" | cut -d' ' -f2)
cora_o=$(xid "$cora" | cut -d' ' -f2)
is "$(rpc hr.employee read "[[$ada_o],[\"name\"]]" | jq -r '.[0].name')" "Ada Byron" "Ada is, in Odoo, the employee holding bng.employee_$ada"
is "$(rpc ir.model.data search_count '[[["module","=","bng"]]]')" 2 "...and only BNG's employees have such an external id"
is "$(api GET "/employees/$cora" | jq -r .Status)" OnLeave "Cora stays OnLeave in BNG (Odoo has no such state)"
rpc hr.employee read "[[$ada_o]]" '{"fields":["work_contact_id","coach_id","job_id"]}' >"$T/ada"
like "$(jq -r '.[0].work_contact_id[1]' "$T/ada")" "^Ada Byron$" "Odoo made Ada's work contact itself"
is "$(jq -c '.[0].job_id' "$T/ada")" false "...and left job_id empty: only job_title was sent"
wc_ada=$(jq '.[0].work_contact_id[0]' "$T/ada")

is "$(lead 9001)" '{"name":"Acme - 40 desks","type":"opportunity","partner_name":"Acme Corp","contact_name":"Rita Ray","email_from":"rita@acme.example","phone":"+1 555 0100","expected_revenue":12500,"date_deadline":"2026-12-31","stage_id":[1,"New"],"probability":33.14,"user_id":[2,"Mitchell Admin"],"team_id":[1,"Sales"],"lead_properties":[]}' \
	"the CRM's deal is an opportunity in Odoo; stage, probability, salesperson and team are Odoo's"
is "$(lead 9002 | jq -c '[.type, .contact_name, .partner_name, .expected_revenue]')" '["lead","Pat Prospect",false,0]' "...its lead a lead"
is "$(rpc crm.lead read '[[1],["expected_revenue"]]' | jq '.[0].expected_revenue')" 1500 \
	"a row of a lead Odoo made (its Odoo ID) does not change it: Odoo owns it"
exported >"$T/rows"
is "$(wc -l <"$T/rows" | tr -d ' ')" "$leads_n" "Odoo's own leads go to the CRM, in a new file"
is "$(jq -r .id "$T/rows" | sort -t: -k2n | tr '\n' ' ')" "$own_leads " \
	"...each once, with its Odoo ID, and none of the CRM's"
is "$(jq -r 'select(.id == "odoo:1") | .stage' "$T/rows")" Qualified "...with Odoo's stage"
touch "$T/mark"

# ---- 2 and 3: nothing new: nothing written, either way ----------------------------------
pl
is "$st:$(cat "$T/out")" "0:" "a second run: status 0, moves nothing"
nb=$(sandbox_log bng | jq length)
no=$(sandbox_log odoo | jq length)
pl
is "$st:$(cat "$T/out")" "0:" "a third run: status 0, moves nothing"
ok "...reads BNG's employees" test "$(sandbox_log bng "$nb" | jq '[.[] | select(.path | test("/employees"))] | length')" -gt 0
ok "...and Odoo's" test "$(sandbox_log odoo "$no" | jq '[.[] | select(.rpc == "hr.employee.search_read")] | length')" -gt 0
is "$(exported | wc -l | tr -d ' ')" 0 "...and no new file for the CRM"
flow_quiet "$nb" "$no"

# ---- 4: changes on each side travel -------------------------------------------------------
later
zoe_o=$(rpc hr.employee search '[[["name","=","Zoë Lefèvre"]]]' | jq '.[0]')
tina_o=$(rpc hr.employee search '[[["name","=","Tina Williamson"]]]' | jq '.[0]')
jose_o=$(rpc hr.employee search '[[["name","=","José García"]]]' | jq '.[0]')
omer_o=$(rpc hr.employee search '[[["name","=","Ömer Çelik"]]]' | jq '.[0]')
rpc hr.employee write "[[$zoe_o],{\"job_title\":\"Head of Sales\",\"work_phone\":\"+32 2 555 99 99\"}]" >/dev/null
rpc hr.employee write "[[$jose_o],{\"parent_id\":$tina_o}]" >/dev/null
rpc hr.employee write "[[$omer_o],{\"active\":false}]" >/dev/null
# a coach chosen in Odoo, not Cora's manager: the sync leaves it
rpc hr.employee write "[[$cora_o],{\"coach_id\":$tina_o}]" >/dev/null
zoe_b=$(b employees | jq -r "select(.ExternalID == \"odoo:$zoe_o\") | .EmployeeID")
api PATCH "/employees/$ada" '{"JobTitle":"Lead Analyst","Phone":"+44 20 7946 0002"}' >/dev/null
is "$api_status" 200 "BNG changes Ada's job title and phone"
api PATCH "/employees/$cora" "{\"ManagerID\":$zoe_b,\"Email\":\"cora@bng.example\"}" >/dev/null
is "$api_status" 200 "...and gives Cora another manager, Zoë"
# edits of a copy: not sent to its owner, and undone by the owner's change
jose_b=$(b employees | jq -r "select(.ExternalID == \"odoo:$jose_o\") | .EmployeeID")
api PATCH "/employees/$jose_b" '{"Phone":"+34 600 000 000"}' >/dev/null
is "$api_status" 200 "BNG edits its copy of José, Odoo's"
rpc hr.employee write "[[$ada_o],{\"job_title\":\"Edited in Odoo\"}]" >/dev/null
# the CRM's deal grows; Odoo's own lead 3 gets a phone; Odoo moves the
# CRM's lead to another stage (its copy: not exported)
crm_export 14000
rpc crm.lead write '[[3],{"phone":"+32 2 555 33 33"}]' >/dev/null
rpc crm.lead write "[[$(rpc ir.model.data search_read '[[["name","=","lead_9002"]]]' '{"fields":["res_id"]}' | jq '.[0].res_id')],{\"stage_id\":2}]" >/dev/null
pl
is "$st" 0 "changes on both sides: status 0"
like "$(cat "$T/out")" "leads-in: 1 updated" "the CRM's change reaches Odoo"
is "$(lead 9001 | jq -c '[.expected_revenue, .stage_id[1]]')" '[14000,"New"]' "...its amount; its stage stays Odoo's"
is "$(exported)" '{"id":"odoo:3","name":"Need 20 Desks","stage":"Won","phone":"+32 2 555 33 33"}' \
	"Odoo's changed lead goes to the CRM, alone: the CRM's lead moved in Odoo does not"
touch "$T/mark"
same_sides "...both sides agree again"
grep "^\(Zoë Lefèvre\|José García\|Ömer Çelik\|Ada Byron\|Cora Vale\)|" "$T/bv" >"$T/changed"
is "$(cat "$T/changed")" "Ada Byron|ada@bng.example|+44 20 7946 0002|Lead Analyst|Sales||
Cora Vale|cora@bng.example|||Management / Professional Services|Zoë Lefèvre|
José García|jose.garcia@example.com|+32 2 555 05 35|Salesman|Sales|Tina Williamson|
Zoë Lefèvre|zoe.lefevre@example.com|+32 2 555 99 99|Head of Sales|Sales|Mitchell Admin|
Ömer Çelik|omer.celik@example.com|+32 2 555 09 63|Warehouse Worker|Administration|Mitchell Admin|archived" \
	"...each owner's change on both sides (archived: Terminated); Ada's job title edited in Odoo's copy is BNG's again"
is "$(api GET "/employees/$(b employees | jq -r "select(.ExternalID == \"odoo:$omer_o\") | .EmployeeID")" | jq -r .Status)" Terminated \
	"Ömer archived in Odoo: Terminated in BNG"
is "$(rpc hr.employee read "[[$jose_o],[\"work_phone\"]]" | jq -r '.[0].work_phone')" "+32 2 555 05 35" \
	"José's phone edited in BNG's copy did not reach Odoo, which owns him; Odoo's change put it back"
rpc hr.employee read "[[$cora_o],[\"coach_id\",\"work_contact_id\"]]" >"$T/cora"
is "$(jq -r '.[0].coach_id[1]' "$T/cora")" "Tina Williamson" "Cora's coach, chosen in Odoo, stays"
is "$(rpc hr.employee read "[[$ada_o],[\"work_contact_id\"]]" | jq '.[0].work_contact_id[0]')" "$wc_ada" \
	"...and Ada's work contact is still the one Odoo made"
is "$(api GET "/employees/$cora" | jq -r .Status)" OnLeave "...and Cora is still OnLeave in BNG"
nb=$(sandbox_log bng | jq length)
no=$(sandbox_log odoo | jq length)
pl
is "$st:$(cat "$T/out")" "0:" "the next run moves nothing"
flow_quiet "$nb" "$no"

# ---- a refused record stops the flow, and the steps after it --------------------------
eve=$(emp '{"FirstName":"Eve","LastName":"Stone","Department":"Catering","Status":"Active"}')
no=$(sandbox_log odoo | jq length)
pl
is "$st" 65 "a department Odoo lacks: 65"
like "$(cat "$T/err")" "people-and-leads: employees-in: status 65" "...says which step"
like "$(jq -r 'select(.record.xid == "bng.employee_'"$eve"'") | .error' "$W/rejects/employees-in.ndjson")" "Catering" \
	"...Eve is the reject, naming the department"
is "$(sandbox_log odoo "$no" | jq '[.[] | select(.rpc == "hr.employee.search_read")] | length')" 0 \
	"...and the steps after it do not run"
api PATCH "/employees/$eve" '{"Department":"Sales"}' >/dev/null
pl
is "$st" 0 "Eve's department fixed in BNG: status 0"
ok "...Eve is in Odoo" grep -q "^Eve Stone||||Sales||\$" "$(odoo_view >"$T/ov"; echo "$T/ov")"

# ---- leads-out: two runs in one second, a run killed while writing --------------------
# the second run of a second kept the first's file for the CRM (it wrote
# over it, then removed it as empty); a killed run's half file is not the
# CRM's, but its whole rows are (their position may be committed)
mkdir -p "$T/shim"
printf '#!/bin/sh\necho 20260301T120000Z\n' >"$T/shim/date"
chmod +x "$T/shim/date"
rpc crm.lead write '[[5],{"phone":"+32 2 555 55 55"}]' >/dev/null
run env PATH="$T/shim:$PATH" sh -c "$cmd" >"$T/out" 2>&1
run env PATH="$T/shim:$PATH" sh -c "$cmd" >"$T/out" 2>&1
is "$(xform -q -i csv "$W/crm/out/leads-20260301T120000Z.csv" | jq -r '."Odoo ID"')" "odoo:5" \
	"two runs in one second: the first's file for the CRM is kept"
cols="Record ID,Deal Name,Type,Company Name,Contact Name,Email,Phone,Amount,Close Date,Odoo ID,Odoo Stage"
printf '%s\n"",Whole,Lead,"","","","","","",odoo:6,New\n"",Cu' "$cols" \
	>"$W/crm/out/.leads-20260301T115959Z.csv.part"
pl
is "$(xform -q -i csv "$W/crm/out/leads-20260301T115959Z.csv" | jq -r '."Deal Name"')" "Whole" \
	"a killed run's part goes to the CRM with its whole rows, not the cut one"
ok "...and the part is gone" test ! -e "$W/crm/out/.leads-20260301T115959Z.csv.part"

# ---- one run at a time; usage ----------------------------------------------------------
flow_mark
api PATCH "/employees/$ada" '{"JobTitle":"Principal Analyst"}' >/dev/null
flow_lock people-and-leads

done_testing
