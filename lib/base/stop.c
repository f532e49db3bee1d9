#include "base/stop.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_sig;

static void
on_stop(int sig)
{
	if (stop_sig) {
		/* asked twice: the default action, now */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_sig = sig;
}

/* A signal ignored when the program started stays ignored (a job started
 * with & by a script, nohup): its starter did not want it to stop us. */
static void
catch_unless_ignored(int sig)
{
	struct sigaction sa, old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void
stop_catch(void)
{
	catch_unless_ignored(SIGTERM);
	catch_unless_ignored(SIGINT);
	signal(SIGPIPE, SIG_IGN);
}

int
stop_signal(void)
{
	return stop_sig;
}

int
stop_status(void)
{
	return stop_sig ? 128 + stop_sig : 0;
}
