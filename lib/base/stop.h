/*
 * stop.h - a graceful stop on SIGINT and SIGTERM (layer 1: base).
 *
 * A filter that is asked to stop finishes the record or batch in hand,
 * writes its outcome, commits no checkpoint it has not passed and exits
 * 128 + the signal: what it did not read is read again by the next run
 * (DESIGN.md, checkpoints).  A second signal of the same kind ends the
 * process at once, as an impatient operator expects.
 *
 * Ownership: process-wide state; stop_catch is called once, before the
 * first read.
 */
#ifndef ERPIPE_STOP_H
#define ERPIPE_STOP_H

/* Catch SIGINT and SIGTERM (without SA_RESTART, so a blocked read(2)
 * returns EINTR), unless one was ignored when the program started (nohup,
 * a script's background job): it stays ignored.  SIGPIPE is ignored. */
void stop_catch(void);
/* 0, or the signal that asked the process to stop. */
int stop_signal(void);
/* The exit status of a stopped run: 128 + the signal (130, 143). */
int stop_status(void);

#endif
