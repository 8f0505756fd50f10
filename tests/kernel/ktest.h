/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test runner for the static guest programs of tests/kernel/: each
 * case runs in its own forked child under an alarm, so that a crash, a
 * hang or a leaked descriptor in one case cannot take the others down, and
 * prints `PASS name` or `FAIL name: reason`.
 *
 * A case is `static void name(void)`; it returns on success and calls
 * KT_FAIL (which exits the child) on failure.
 */
#ifndef VIOREQ_KTEST_H
#define VIOREQ_KTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/acrn.h>

struct kt_case {
	const char *name;
	void (*run)(void);
	unsigned int timeout_s;
};

/* The case's failure reason goes through a pipe to the parent. */
static int kt_reason_fd = -1;
/* The program's name, for verdicts outside a case. */
static const char *kt_program = "ktest";

__attribute__((format(printf, 3, 4), noreturn))
static void kt_fail_at(const char *file, int line, const char *fmt, ...)
{
	char buf[512];
	int len = snprintf(buf, sizeof(buf), "%s:%d: ", file, line);
	va_list ap;

	if (len < 0)
		len = 0;
	va_start(ap, fmt);
	vsnprintf(buf + len, sizeof(buf) - 2 - (size_t)len, fmt, ap);
	va_end(ap);
	/* Outside a case (a program's own set-up) it is a verdict line. */
	if (kt_reason_fd < 0) {
		printf("FAIL %s: %s\n", kt_program, buf);
		fflush(stdout);
		_exit(1);
	}
	/* Several processes of a case may fail: "; " separates them. */
	strcat(buf, "; ");
	if (write(kt_reason_fd, buf, strlen(buf)) < 0)
		fprintf(stderr, "%s\n", buf);
	_exit(1);
}

#define KT_FAIL(...) kt_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#define KT_ASSERT(cond)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			KT_FAIL("assertion failed: %s", #cond);         \
	} while (0)

#define KT_EQ(a, b)                                                     \
	do {                                                            \
		long long kt_a_ = (long long)(a);                       \
		long long kt_b_ = (long long)(b);                       \
		if (kt_a_ != kt_b_)                                     \
			KT_FAIL("%s == %lld, expected %s == %lld",      \
				#a, kt_a_, #b, kt_b_);                  \
	} while (0)

/* A call that must succeed (return >= 0). */
#define KT_OK(call)                                                     \
	({                                                              \
		long kt_rc_ = (long)(call);                             \
		if (kt_rc_ < 0)                                         \
			KT_FAIL("%s failed: %s", #call, strerror(errno)); \
		kt_rc_;                                                 \
	})

/* A call that must fail with -1 and errno == err. */
#define KT_ERRNO(call, err)                                             \
	do {                                                            \
		errno = 0;                                              \
		long kt_rc_ = (long)(call);                             \
		int kt_e_ = errno;                                      \
		if (kt_rc_ != -1)                                       \
			KT_FAIL("%s returned %ld, expected %s",         \
				#call, kt_rc_, #err);                   \
		if (kt_e_ != (err))                                     \
			KT_FAIL("%s: errno %s (%d), expected %s",       \
				#call, strerrorname_np(kt_e_) ?         \
				strerrorname_np(kt_e_) : "?",           \
				kt_e_, #err);                           \
	} while (0)

/*
 * The bound of a wait for something that normally takes milliseconds. CI
 * machines are 2-core and loaded and the guest runs under TCG, so bounds
 * are generous: they only matter when the test fails anyway.
 */
#define KT_LONG_MS 10000u

static inline uint64_t kt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline void kt_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Pages pinned with pin_user_pages() and not unpinned yet, from
 * /proc/vmstat (-1 if unreadable). vioreq pins each VM's ioreq page, so a
 * case that leaves a VM behind shows up here.
 */
static inline long long kt_pinned_pages(void)
{
	long long acquired = -1, released = -1, v;
	char name[64];
	FILE *f;
	int fd;

	/* Fold the per-CPU deltas into the counters first, or they lag. */
	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd >= 0) {
		ssize_t written = write(fd, "1", 1);

		(void)written; /* best effort: the counters are only later */
		close(fd);
	}
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2) {
		if (strcmp(name, "nr_foll_pin_acquired") == 0)
			acquired = v;
		else if (strcmp(name, "nr_foll_pin_released") == 0)
			released = v;
	}
	fclose(f);
	return acquired < 0 || released < 0 ? -1 : acquired - released;
}

/*
 * A read-only parameter of vioreq.ko (/sys/module/vioreq/parameters/NAME:
 * live_vms, pinned_pages, ...); -1 if unreadable (the module is not
 * loaded).
 */
static inline long long kt_module_param(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/vioreq/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The same as a long, failing the case when it cannot be read. */
#define KT_MODULE_PARAM(name)                                           \
	({                                                              \
		long long kt_v_ = kt_module_param(name);                \
		if (kt_v_ < 0)                                          \
			KT_FAIL("read vioreq parameter %s", (name));    \
		(long)kt_v_;                                            \
	})

/*
 * The module's own count of the pages it has pinned, exact at any time;
 * -1 if unreadable.
 */
static inline long long kt_module_pinned_pages(void)
{
	return kt_module_param("pinned_pages");
}

/* Runs one case in a child; returns 1 if it passed. */
static int kt_run_case(const struct kt_case *c)
{
	char reason[512];
	int pipefd[2];
	ssize_t n;
	pid_t pid;
	int status;

	long long pins_before = kt_pinned_pages(), pins_after;
	long long mod_before = kt_module_pinned_pages(), mod_after;
	uint64_t settle, t0 = kt_now_ms();

	if (pipe(pipefd) < 0) {
		printf("FAIL %s: pipe: %s\n", c->name, strerror(errno));
		return 0;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("FAIL %s: fork: %s\n", c->name, strerror(errno));
		return 0;
	}
	if (pid == 0) {
		close(pipefd[0]);
		kt_reason_fd = pipefd[1];
		/* Own process group, so that the parent can kill helpers too. */
		setpgid(0, 0);
		alarm(c->timeout_s ? c->timeout_s : 20);
		c->run();
		_exit(0);
	}
	close(pipefd[1]);
	n = 0;
	for (;;) {
		ssize_t r = read(pipefd[0], reason + n, sizeof(reason) - 1 - (size_t)n);

		if (r > 0) {
			n += r;
			if ((size_t)n >= sizeof(reason) - 1)
				break;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		break;
	}
	reason[n] = '\0';
	/* Slow cases are worth knowing about on a loaded CI machine. */
	if (kt_now_ms() - t0 >= 3000)
		printf("# %s took %llu ms\n", c->name,
		       (unsigned long long)(kt_now_ms() - t0));
	while (n > 0 && (reason[n - 1] == ' ' || reason[n - 1] == ';'))
		reason[--n] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Leave no helper of the case behind. */
	kill(-pid, SIGKILL);
	/*
	 * A file's release may finish just after its process is reaped (a
	 * helper killed above, a deferred fput). The module's counter is
	 * exact; vmstat's is folded from per-CPU deltas by kt_pinned_pages.
	 */
	settle = kt_now_ms() +
		 (WIFEXITED(status) && WEXITSTATUS(status) == 0 ? KT_LONG_MS : 0);
	for (;;) {
		mod_after = kt_module_pinned_pages();
		pins_after = kt_pinned_pages();
		if ((pins_after == pins_before && mod_after == mod_before) ||
		    kt_now_ms() >= settle)
			break;
		kt_sleep_ms(10);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		/* An unreadable counter would compare -1 with -1. */
		if (mod_before < 0 || mod_after < 0 || pins_before < 0 ||
		    pins_after < 0) {
			printf("FAIL %s: cannot read the pinned-page counters (module %lld/%lld, vmstat %lld/%lld)\n",
			       c->name, mod_before, mod_after, pins_before,
			       pins_after);
			return 0;
		}
		if (mod_after != mod_before) {
			printf("FAIL %s: the module counts %lld pinned pages before, %lld after\n",
			       c->name, mod_before, mod_after);
			return 0;
		}
		if (pins_after != pins_before) {
			printf("FAIL %s: %lld pinned pages before, %lld after (vmstat)\n",
			       c->name, pins_before, pins_after);
			return 0;
		}
		printf("PASS %s\n", c->name);
		return 1;
	}
	if (WIFSIGNALED(status))
		printf("FAIL %s: killed by signal %d%s%s%s\n", c->name,
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout)" : "",
		       n ? ": " : "", reason);
	else
		printf("FAIL %s: %s\n", c->name, n ? reason : "exit status != 0");
	return 0;
}

/*
 * Runs the cases named on the command line, or all of them; prints
 * `PASS`/`FAIL` lines; returns the exit status (0: all passed). A name
 * that is no case fails, so a renamed case cannot pass unrun. `--list`
 * prints the case names, one a line, and runs nothing: run-qemu.sh runs
 * it on the host to know which verdicts the guest must print.
 */
static inline int kt_main(const struct kt_case *cases, size_t count,
			  int argc, char **argv)
{
	int failed = 0;
	size_t i;

	kt_program = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (i = 0; i < count; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		int known = 0;

		for (i = 0; i < count; i++)
			if (strcmp(argv[a], cases[i].name) == 0)
				known = 1;
		if (!known) {
			printf("FAIL %s: no such case in %s\n", argv[a],
			       argv[0]);
			failed++;
		}
	}
	for (i = 0; i < count; i++) {
		int selected = argc < 2;

		for (int a = 1; a < argc; a++)
			if (strcmp(argv[a], cases[i].name) == 0)
				selected = 1;
		if (selected && !kt_run_case(&cases[i]))
			failed++;
	}
	return failed ? 1 : 0;
}

#endif /* VIOREQ_KTEST_H */
