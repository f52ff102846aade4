// SPDX-License-Identifier: GPL-2.0-only
/*
 * The full-screen view (ncursesw). Redraws only on a new frame, a key or a resize;
 * waits in poll() on the terminal and the ring buffer, so an idle screen costs
 * nothing between refreshes.
 */
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "luo-top.h"
#include "base/size.h"
#include "base/util.h"

enum { C_HEAD = 1, C_TITLE, C_OFF, C_ON, C_KEYS };

struct tui {
	const struct lt_opts *o;
	struct lt_src *src;
	struct lt_frame f;
	struct lt_table t;
	enum lt_view view;
	int sort[LT_NR_VIEWS];
	bool desc[LT_NR_VIEWS];
	char filter[64];
	bool editing; /* typing a filter */
	char edit[64];
	bool paused, help, color;
	size_t scroll[LT_NR_VIEWS];
	bool follow; /* Events: stay at the newest */
};

static const char *const view_title[LT_NR_VIEWS] = {"Sessions", "Handlers", "Global", "Functions", "Events"};

static void style_on(struct tui *u, int pair, int fallback)
{
	if (u->color)
		attron(COLOR_PAIR(pair));
	else
		attron(fallback);
}

static void style_off(struct tui *u, int pair, int fallback)
{
	if (u->color)
		attroff(COLOR_PAIR(pair));
	else
		attroff(fallback);
}

/* A line clipped to the screen width, the rest of it cleared. */
static void line(int y, const char *s)
{
	move(y, 0);
	clrtoeol();
	mvaddnstr(y, 0, s, COLS > 0 ? COLS : 0);
}

/* The view's table from its scroll position, as many rows as fit, the sort column marked. */
static void draw_table(struct tui *u, int top, int bottom)
{
	const struct lt_table *t = &u->t;
	const char *titles[LT_MAX_COLS];
	char title[LT_MAX_COLS][40], *text, *ln, *save = NULL;
	int c, y, rows = bottom - top - 1;
	size_t *scroll = &u->scroll[u->view];

	if (rows < 1)
		return;
	for (c = 0; c < t->ncols; c++) {
		snprintf(title[c], sizeof(title[c]), "%s%s", t->cols[c].title,
			 c == u->sort[u->view] ? (u->desc[u->view] ? "-" : "+") : "");
		titles[c] = title[c];
	}
	if (u->view == LT_V_EVENTS && u->follow)
		*scroll = t->nrows > (size_t)rows ? t->nrows - rows : 0;
	if (*scroll + rows > t->nrows)
		*scroll = t->nrows > (size_t)rows ? t->nrows - rows : 0;
	/* Only the rows on the screen are laid out: their widths, not those of rows scrolled off. */
	text = lt_table_text(t, *scroll, rows, titles, COLS > 0 ? COLS : 80);
	y = top;
	for (ln = strtok_r(text, "\n", &save); ln && y < bottom; ln = strtok_r(NULL, "\n", &save)) {
		if (y == top)
			style_on(u, C_TITLE, A_REVERSE);
		line(y, ln);
		if (y == top) {
			mvchgat(top, 0, -1, u->color ? 0 : A_REVERSE, u->color ? C_TITLE : 0, NULL);
			style_off(u, C_TITLE, A_REVERSE);
		}
		y++;
	}
	while (y < bottom)
		line(y++, "");
	free(text);
}

/* Global: the KHO status and the sub-blobs, then the FLB table. */
static int draw_global_head(struct tui *u, int y, int bottom)
{
	char buf[512], *blobs, *ln, *save = NULL;
	const char *p;

	if (!u->f.snap) {
		snprintf(buf, sizeof(buf), "KHO: %.500s", u->f.kho_error);
		line(y++, buf);
	}
	for (p = u->f.status_text; p && *p && y < bottom - 4;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		line(y++, buf);
		p += n + (nl ? 1 : 0);
	}
	blobs = lt_blobs_text(&u->f, COLS > 0 ? COLS : 80);
	for (ln = strtok_r(blobs, "\n", &save); ln && y < bottom - 4; ln = strtok_r(NULL, "\n", &save)) {
		if (ln == blobs)
			style_on(u, C_TITLE, A_BOLD);
		line(y++, ln);
		if (ln == blobs)
			style_off(u, C_TITLE, A_BOLD);
	}
	free(blobs);
	if (y < bottom)
		line(y++, "");
	return y;
}

static void draw_help(struct tui *u)
{
	static const char *const text[] = {
	    "luo-top keys",
	    "",
	    "Tab, 1-5   Sessions, Handlers, Global, Functions, Events",
	    "s          sort by the next column (again: the one after)",
	    "r          reverse the sort order",
	    "/          filter rows (Enter applies, Esc clears)",
	    "p          pause / resume refreshing",
	    "Up/Down, PgUp/PgDn, Home/End   scroll",
	    "h, ?       this help (any key closes it)",
	    "q          quit",
	};
	int h = KT_ARRAY_SIZE(text) + 2, w = 58, y0, x0, i;
	WINDOW *win;

	if (LINES < h || COLS < w)
		return;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	win = newwin(h, w, y0, x0);
	if (!win)
		return;
	werase(win);
	box(win, 0, 0);
	for (i = 0; i < (int)KT_ARRAY_SIZE(text); i++)
		mvwaddnstr(win, i + 1, 2, text[i], w - 4);
	(void)u;
	wnoutrefresh(win);
	delwin(win);
}

static void draw(struct tui *u)
{
	char buf[1024], left[64];
	int y = 0, c, bottom = LINES - 1;
	size_t n = 0;

	if (LINES < 6 || COLS < 20) {
		erase();
		mvaddnstr(0, 0, "luo-top: terminal too small", COLS);
		refresh();
		return;
	}
	lt_table_build(&u->f, u->view, u->filter, u->sort[u->view], u->desc[u->view], &u->t);

	/* Line 0: the views. */
	move(0, 0);
	clrtoeol();
	style_on(u, C_HEAD, A_BOLD);
	mvaddstr(0, 0, "luo-top ");
	style_off(u, C_HEAD, A_BOLD);
	for (c = 0; c < LT_NR_VIEWS; c++) {
		snprintf(buf, sizeof(buf), " %d %s ", c + 1, view_title[c]);
		if (c == (int)u->view)
			attron(A_REVERSE);
		addnstr(buf, COLS - getcurx(stdscr) > 0 ? COLS - getcurx(stdscr) : 0);
		if (c == (int)u->view)
			attroff(A_REVERSE);
	}
	snprintf(buf, sizeof(buf), "  %.1fs  frame %" PRIu64 "%s", u->f.uptime, u->f.seq,
		 u->paused ? "  PAUSED" : "");
	addnstr(buf, COLS - getcurx(stdscr) > 0 ? COLS - getcurx(stdscr) : 0);
	y++;

	/* Line 1: tracing. */
	if (u->f.tracing)
		snprintf(buf, sizeof(buf), "tracing %s  events %" PRIu64 "  dropped %" PRIu64,
			 u->f.trace_status, u->f.total_events, u->f.dropped);
	else
		snprintf(buf, sizeof(buf), "tracing %s", u->f.trace_status ? u->f.trace_status : "off");
	style_on(u, u->f.tracing ? C_ON : C_OFF, u->f.tracing ? A_NORMAL : A_BOLD);
	line(y++, buf);
	style_off(u, u->f.tracing ? C_ON : C_OFF, u->f.tracing ? A_NORMAL : A_BOLD);

	/* Line 2: KHO, counts, sort and filter. */
	if (u->f.snap)
		snprintf(left, sizeof(left), "KHO %s %s", u->o->root ? "snapshot" : "live",
			 u->f.snap->release ? u->f.snap->release : "");
	else
		snprintf(left, sizeof(left), "KHO unavailable");
	n = snprintf(buf, sizeof(buf), "%s  sessions %zu  handlers %zu  rows %zu", left, u->f.sessions.n,
		     u->f.handlers.n, u->t.nrows);
	if (u->f.luo_changing)
		n += snprintf(buf + n, sizeof(buf) - n, "  changing: sessions of frame %llu",
			      (unsigned long long)u->f.luo_seq);
	if (u->sort[u->view] >= 0)
		n += snprintf(buf + n, sizeof(buf) - n, "  sort %s %s", u->t.cols[u->sort[u->view]].title,
			      u->desc[u->view] ? "desc" : "asc");
	if (u->filter[0])
		snprintf(buf + n, sizeof(buf) - n, "  filter \"%s\"", u->filter);
	line(y++, buf);

	if (u->view == LT_V_GLOBAL)
		y = draw_global_head(u, y, bottom);
	if (u->view == LT_V_FUNCTIONS && !u->f.tracing && y < bottom)
		line(y++, u->f.loading ? "(per-function totals come from tracing: its probes are loading)"
				       : "(per-function totals come from tracing, which is off)");
	draw_table(u, y, bottom);

	/* Last line: keys, or the filter being typed. */
	if (u->editing)
		snprintf(buf, sizeof(buf), "Filter: %s_", u->edit);
	else
		snprintf(buf, sizeof(buf), "Tab/1-5 view  s sort  r reverse  / filter  p %s  h help  q quit",
			 u->paused ? "resume" : "pause");
	style_on(u, C_KEYS, A_REVERSE);
	line(bottom, buf);
	mvchgat(bottom, 0, -1, u->color ? 0 : A_REVERSE, u->color ? C_KEYS : 0, NULL);
	style_off(u, C_KEYS, A_REVERSE);
	wnoutrefresh(stdscr);
	if (u->help)
		draw_help(u);
	doupdate();
}

static void set_view(struct tui *u, enum lt_view v)
{
	u->view = v;
	u->follow = v == LT_V_EVENTS;
}

/* Returns false to quit. */
static bool key(struct tui *u, int ch)
{
	size_t *scroll = &u->scroll[u->view];
	int page = LINES > 8 ? LINES - 6 : 1;

	if (u->help) {
		u->help = false;
		return ch != 'q';
	}
	if (u->editing) {
		size_t n = strlen(u->edit);

		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			snprintf(u->filter, sizeof(u->filter), "%s", u->edit);
			u->editing = false;
		} else if (ch == 27) {
			u->filter[0] = 0;
			u->editing = false;
		} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n) {
			u->edit[n - 1] = 0;
		} else if (ch >= 32 && ch < 127 && n + 1 < sizeof(u->edit)) {
			u->edit[n] = ch;
			u->edit[n + 1] = 0;
		}
		return true;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case '\t':
		set_view(u, (u->view + 1) % LT_NR_VIEWS);
		break;
	case KEY_BTAB:
		set_view(u, (u->view + LT_NR_VIEWS - 1) % LT_NR_VIEWS);
		break;
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
		set_view(u, ch - '1');
		break;
	case 's':
		/* natural order, then each column in turn; numbers biggest first */
		u->sort[u->view]++;
		if (u->sort[u->view] >= u->t.ncols)
			u->sort[u->view] = -1;
		if (u->sort[u->view] >= 0)
			u->desc[u->view] = u->t.cols[u->sort[u->view]].numeric;
		break;
	case 'r':
		u->desc[u->view] = !u->desc[u->view];
		break;
	case '/':
		u->editing = true;
		snprintf(u->edit, sizeof(u->edit), "%s", u->filter);
		break;
	case 'p':
	case ' ':
		u->paused = !u->paused;
		break;
	case 'h':
	case '?':
		u->help = true;
		break;
	case KEY_UP:
		u->follow = false;
		if (*scroll)
			(*scroll)--;
		break;
	case KEY_DOWN:
		(*scroll)++;
		break;
	case KEY_PPAGE:
		u->follow = false;
		*scroll = *scroll > (size_t)page ? *scroll - page : 0;
		break;
	case KEY_NPAGE:
		*scroll += page;
		break;
	case KEY_HOME:
		u->follow = false;
		*scroll = 0;
		break;
	case KEY_END:
		*scroll = (size_t)-1 / 2;
		u->follow = u->view == LT_V_EVENTS;
		break;
	default:
		break;
	}
	return true;
}

static void resize(void)
{
	struct winsize ws;

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clear();
}

int lt_tui_run(struct lt_src *src, const struct lt_opts *o)
{
	struct tui u = {.o = o, .src = src};
	double next;
	long frames = 0;
	int v;

	for (v = 0; v < LT_NR_VIEWS; v++)
		u.sort[v] = lt_view_default_sort(v, &u.desc[v]);
	set_view(&u, o->view);
	if (!initscr()) {
		kt_errmsg("cannot initialize the terminal (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
		return LT_EXIT_ERROR;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	u.color = !o->no_color && has_colors();
	if (u.color) {
		start_color();
		use_default_colors();
		init_pair(C_HEAD, COLOR_CYAN, -1);
		init_pair(C_TITLE, COLOR_BLACK, COLOR_GREEN);
		init_pair(C_OFF, COLOR_YELLOW, -1);
		init_pair(C_ON, COLOR_GREEN, -1);
		init_pair(C_KEYS, COLOR_BLACK, COLOR_CYAN);
	}

	lt_src_collect(src, &u.f);
	frames++;
	next = lt_now() + o->delay;
	draw(&u);
	while (!lt_exiting) {
		struct pollfd pfd[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
					{.fd = lt_src_event_fd(src), .events = POLLIN}};
		int timeout = (int)((next - lt_now()) * 1000), ch;
		bool dirty = false;

		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, pfd[1].fd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[1].fd >= 0 && (pfd[1].revents & POLLIN))
			lt_src_consume(src);
		while ((ch = getch()) != ERR) {
			if (ch == KEY_RESIZE) {
				lt_resized = 1;
				continue;
			}
			if (!key(&u, ch))
				lt_exiting = 1;
			dirty = true;
		}
		if (lt_resized) {
			lt_resized = 0;
			resize();
			dirty = true;
		}
		if (lt_now() >= next) {
			next += o->delay;
			if (next < lt_now())
				next = lt_now() + o->delay;
			if (!u.paused) {
				lt_src_collect(src, &u.f);
				dirty = true;
				if (o->frames && ++frames > o->frames)
					break;
			}
		}
		if (dirty && !lt_exiting)
			draw(&u);
	}
	endwin();
	lt_table_free(&u.t);
	lt_frame_free(&u.f);
	return LT_EXIT_OK;
}
