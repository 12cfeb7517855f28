/* The greedy plan's placement loop, compiled (solver.compiled_greedy prepares its input).

   It places sections exactly as solver.greedy.place_section does, from the calendar it is given
   (empty, or holding fixed sessions): each section at its earliest start
   where its learners, a room that seats it (in person) and a facilitator are free, the sessions
   after the first in the earliest start their spacing allows, each session with the cheapest
   free facilitator of its options (ties: the first in the group's ranking) and the first free
   room in price order; a section taught by one facilitator throughout tries the group's ranked
   facilitators one by one. The rules are the exact tests of solver.bookings.Calendar: a
   facilitator's availability, buffer and daily maximum, a room's availability and bookings, and
   no two sessions of one learner or conflict group at once. Before that it keeps what still
   fits of the plan a re-plan starts from, as solver.greedy._previous_sections does (``keep``).

   Python placed a section in about 0.3 ms on 10,000 cohorts (bench/results/log.md); here the
   free starts of every resource are bit sets brought up to date at each booking, and the exact
   tests are bit tests and binary searches.

   Input (solver.compiled_greedy._Input writes it): ``calendar(ints)`` reads one int64 array in
   order (the grid's starts, each facilitator's rules and bookable and if-need-be intervals,
   each room's bookable intervals, the calendar's bookings (read_bookings), the groups with
   their ranked facilitators and prices) and returns the calendar, kept between calls. Then
   ``keep(calendar, ints, words)`` and ``place(calendar, ints, words)`` each read the room lists
   and cohorts not given before (read_batch), then their sections in the order they are
   placed; ``words`` holds each new cohort's allowed starts per session, W words each. Each
   answers with one int64 array, per section 0 (not placed) or the number of sessions followed
   by (position, facilitator, room or -1) for each, and leaves what it placed booked in the
   calendar. Malformed input raises ValueError. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* sessions of one section at most (the problem format allows 100: solver.limits) */
#define MAX_SESSIONS 128

typedef struct {
    int64_t *s, *e;
    int64_t n, cap;
} Ivals;

typedef struct {
    int64_t nsess, lo, hi, in_person, same;
    int64_t *mi;      /* minutes index of each session */
    int64_t nranked;
    int64_t *ranked;  /* facilitator indices, cheapest first */
    int64_t *base;    /* [nranked][nminutes] price before if-need-be */
    int64_t *order;   /* [nminutes][nranked]: places in the ranking by that price, then place */
} Group;

typedef struct {
    int64_t n, W, ndays, F, R, K, M, T, G, S, P;
    int64_t *start, *dayidx, *minutes;
    int64_t *buffer, *maxday, *reluct, *tz;
    int64_t *localday; /* [T][n] */
    int64_t *ndays_tz; /* [T] */
    int64_t *dayfirst; /* [T][Dmax + 1]: first position of each local day */
    int64_t Dmax;
    uint64_t *favail, *freluct, *ravail; /* [F][M][W], [F][M][W], [R][M][W] */
    uint64_t *ffree, *rfree;
    int64_t *dm; /* [F][Dmax] minutes taught per local day */
    Ivals *fb, *rb, *kb;
    Group *groups;
    int64_t **seating; /* each: count, then rooms (in increasing order: cheapest first) */
    uint64_t *seats;   /* [S][RW]: each seating's rooms as a set */
    int64_t RW;        /* words of a set of rooms */
    uint64_t *rooms_at; /* [M][n][RW]: the rooms free at each start (rfree, the other way) */
    struct Undo *undo;  /* [2 * MAX_SESSIONS]: per session placed, then per session pinned */
} State;

/* ---- intervals ---------------------------------------------------------------------------- */

/* The first index of the sorted ``a[0 .. n - 1]`` holding ``x`` or more. */
static int64_t lower_bound(const int64_t *a, int64_t n, int64_t x) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (a[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static int64_t lower_s(const Ivals *v, int64_t x) { return lower_bound(v->s, v->n, x); }

/* Whether [a, b) overlaps one of the (non-overlapping, sorted) intervals: Bookings.clashes. */
static int iv_clash(const Ivals *v, int64_t a, int64_t b) {
    int64_t k = lower_s(v, b);
    return k > 0 && v->e[k - 1] > a;
}

static int iv_add(Ivals *v, int64_t s, int64_t e) {
    if (v->n == v->cap) {
        int64_t cap = v->cap ? v->cap * 2 : 8;
        int64_t *ns = realloc(v->s, cap * sizeof(int64_t));
        if (!ns) return -1;
        v->s = ns;
        int64_t *ne = realloc(v->e, cap * sizeof(int64_t));
        if (!ne) return -1;
        v->e = ne;
        v->cap = cap;
    }
    int64_t k = lower_s(v, s);
    memmove(v->s + k + 1, v->s + k, (v->n - k) * sizeof(int64_t));
    memmove(v->e + k + 1, v->e + k, (v->n - k) * sizeof(int64_t));
    v->s[k] = s;
    v->e[k] = e;
    v->n++;
    return 0;
}

static void iv_remove(Ivals *v, int64_t s, int64_t e) {
    int64_t k = lower_s(v, s);
    while (k < v->n && v->e[k] != e) k++;
    if (k == v->n) return;
    memmove(v->s + k, v->s + k + 1, (v->n - k - 1) * sizeof(int64_t));
    memmove(v->e + k, v->e + k + 1, (v->n - k - 1) * sizeof(int64_t));
    v->n--;
}

/* ---- bit sets of positions ---------------------------------------------------------------- */

static inline int bit(const uint64_t *b, int64_t k) { return (b[k >> 6] >> (k & 63)) & 1; }

/* Positions lo .. hi - 1 of ``b`` set to ``on`` (0 or 1), a word at a time. */
static void fill_range(uint64_t *b, int64_t lo, int64_t hi, int on) {
    if (lo >= hi) return;
    int64_t first = lo >> 6, last = (hi - 1) >> 6;
    uint64_t head = ~0ULL << (lo & 63), tail = ~0ULL >> (63 - ((hi - 1) & 63));
    for (int64_t w = first; w <= last; w++) {
        uint64_t part = (w == first ? head : ~0ULL) & (w == last ? tail : ~0ULL);
        b[w] = on ? b[w] | part : b[w] & ~part;
    }
}

static void clear_range(uint64_t *b, int64_t lo, int64_t hi) { fill_range(b, lo, hi, 0); }

static void set_range(uint64_t *b, int64_t lo, int64_t hi) { fill_range(b, lo, hi, 1); }

/* first position with start > x, with start >= x, of day >= d (starts are whole minutes) */
static int64_t first_after(const State *st, int64_t x) {
    return lower_bound(st->start, st->n, x + 1);
}

static int64_t first_from(const State *st, int64_t x) { return lower_bound(st->start, st->n, x); }

static int64_t first_on_day(const State *st, int64_t d) {
    return lower_bound(st->dayidx, st->n, d);
}

/* ---- free starts of one resource, exact --------------------------------------------------- */

static inline uint64_t *ffree_of(State *st, int64_t f, int64_t m) {
    return st->ffree + (f * st->M + m) * st->W;
}

static inline uint64_t *rfree_of(State *st, int64_t r, int64_t m) {
    return st->rfree + (r * st->M + m) * st->W;
}

/* Starts where facilitator f may take a session of minutes[m]: available, clear of their
   sessions by the buffer, on a local day with time left under their daily maximum
   (Calendar.facilitator_fits at every start). */
static void refresh_facilitator(State *st, int64_t f) {
    int64_t buf = st->buffer[f], cap = st->maxday[f], tz = st->tz[f];
    const Ivals *v = &st->fb[f];
    for (int64_t m = 0; m < st->M; m++) {
        uint64_t *b = ffree_of(st, f, m);
        int64_t len = st->minutes[m];
        memcpy(b, st->favail + (f * st->M + m) * st->W, st->W * sizeof(uint64_t));
        if (cap >= 0 && len > cap) {
            memset(b, 0, st->W * sizeof(uint64_t));
            continue;
        }
        for (int64_t i = 0; i < v->n; i++)
            clear_range(b, first_after(st, v->s[i] - len - buf), first_from(st, v->e[i] + buf));
        if (cap >= 0 && v->n) {
            const int64_t *dm = st->dm + f * st->Dmax, *first = st->dayfirst + tz * (st->Dmax + 1);
            for (int64_t d = 0; d < st->ndays_tz[tz]; d++)
                if (dm[d] && dm[d] + len > cap) clear_range(b, first[d], first[d + 1]);
        }
    }
}

/* Starts where room r may take a session of minutes[m] (Calendar.room_fits). */
static void refresh_room(State *st, int64_t r) {
    const Ivals *v = &st->rb[r];
    for (int64_t m = 0; m < st->M; m++) {
        uint64_t *b = rfree_of(st, r, m);
        int64_t len = st->minutes[m];
        memcpy(b, st->ravail + (r * st->M + m) * st->W, st->W * sizeof(uint64_t));
        for (int64_t i = 0; i < v->n; i++)
            clear_range(b, first_after(st, v->s[i] - len), first_from(st, v->e[i]));
    }
}

/* ---- one section -------------------------------------------------------------------------- */

typedef struct {
    const Group *g;
    const int64_t *seating; /* count, then rooms */
    const uint64_t *seats;  /* the same as a set of rooms, in words seat_lo .. seat_hi - 1 */
    int64_t seat_lo, seat_hi;
    int64_t nkeys;
    const int64_t *keys;
    const uint64_t *allowed; /* [nsess][W] */
} Section;

typedef struct {
    int64_t k, f, r;
} Placed;

static int learners_fit(const State *st, const Section *sec, int64_t t, int64_t len) {
    for (int64_t i = 0; i < sec->nkeys; i++)
        if (iv_clash(&st->kb[sec->keys[i]], t, t + len)) return 0;
    return 1;
}

/* The first room of the section's seating free at k: rooms are numbered cheapest first within
   their site, so it is the lowest room both free then and in the seating (late in a plan most
   of a site's hundred rooms are taken at any start, and asking each in turn was a third of the
   placement's time). */
static int64_t free_room(State *st, const Section *sec, int64_t k, int64_t m) {
    const uint64_t *free = st->rooms_at + (m * st->n + k) * st->RW, *seats = sec->seats;
    for (int64_t w = sec->seat_lo; w < sec->seat_hi; w++) {
        uint64_t both = free[w] & seats[w];
        if (both) return w * 64 + __builtin_ctzll(both);
    }
    return -1;
}

/* Room r's free starts in rooms_at again from rfree, for starts lo .. hi - 1. */
static void copy_room_starts(State *st, int64_t r, int64_t m, int64_t lo, int64_t hi) {
    const uint64_t *b = rfree_of(st, r, m);
    uint64_t one = 1ULL << (r & 63);
    for (int64_t k = lo; k < hi; k++) {
        uint64_t *w = st->rooms_at + (m * st->n + k) * st->RW + (r >> 6);
        *w = bit(b, k) ? (*w | one) : (*w & ~one);
    }
}

/* Room r's free starts put in rooms_at, where r's bits are all clear (the calendar's first
   fill): only the starts where it is free are visited (a room is free a fraction of the
   horizon's starts, and 1,050 rooms times every start was most of making the calendar). */
static void fill_room_starts(State *st, int64_t r, int64_t m) {
    const uint64_t *b = rfree_of(st, r, m);
    uint64_t one = 1ULL << (r & 63);
    uint64_t *column = st->rooms_at + m * st->n * st->RW + (r >> 6);
    for (int64_t w = 0; w < st->W; w++)
        for (uint64_t x = b[w]; x; x &= x - 1) {
            int64_t k = w * 64 + __builtin_ctzll(x);
            if (k < st->n) column[k * st->RW] |= one;
        }
}

/* The cheapest free facilitator of the options at position k (ties: the first in the group's
   ranking), or -1; ``only`` >= 0 names the one option of a section taught by one facilitator
   (its place in the ranking). */
static int64_t cheapest_free(State *st, const Section *sec, int64_t k, int64_t m, int64_t only) {
    const Group *g = sec->g;
    if (only >= 0) return bit(ffree_of(st, g->ranked[only], m), k) ? g->ranked[only] : -1;
    /* By price before if-need-be, which only adds: none after a dearer one can do better (on
       10,000 cohorts a program has hundreds of qualified facilitators). */
    int64_t best = -1, best_cost = 0, best_place = 0;
    const int64_t *order = g->order + m * g->nranked;
    for (int64_t i = 0; i < g->nranked; i++) {
        int64_t j = order[i], f = g->ranked[j], cost = g->base[j * st->M + m];
        if (best >= 0 && cost > best_cost) break;
        if (!bit(ffree_of(st, f, m), k)) continue;
        if (bit(st->freluct + (f * st->M + m) * st->W, k)) cost += st->reluct[f];
        if (best < 0 || cost < best_cost || (cost == best_cost && j < best_place)) {
            best = f, best_cost = cost, best_place = j;
        }
    }
    return best;
}

/* What one booking changed, to take it back: the facilitator's and room's free sets before. */
typedef struct Undo {
    uint64_t *saved; /* [2][M][W]: the facilitator's, then the room's */
} Undo;

/* Book a session and clear the starts it takes from its facilitator and room: those within
   the facilitator's buffer of it, the rest of its local day when that reaches their daily
   maximum, and the room's clashing starts. */
static int book(State *st, const Section *sec, const Placed *p, int64_t len, Undo *undo) {
    int64_t t = st->start[p->k], f = p->f, size = st->M * st->W;
    memcpy(undo->saved, ffree_of(st, f, 0), size * sizeof(uint64_t));
    if (p->r >= 0) memcpy(undo->saved + size, rfree_of(st, p->r, 0), size * sizeof(uint64_t));
    if (iv_add(&st->fb[f], t, t + len)) return -1;
    int64_t tz = st->tz[f], day = st->localday[tz * st->n + p->k], cap = st->maxday[f];
    int64_t taught = st->dm[f * st->Dmax + day] += len;
    const int64_t *first = st->dayfirst + tz * (st->Dmax + 1);
    for (int64_t m = 0; m < st->M; m++) {
        int64_t other = st->minutes[m], buf = st->buffer[f];
        uint64_t *b = ffree_of(st, f, m);
        clear_range(b, first_after(st, t - other - buf), first_from(st, t + len + buf));
        if (cap >= 0 && taught + other > cap) clear_range(b, first[day], first[day + 1]);
    }
    if (p->r >= 0) {
        if (iv_add(&st->rb[p->r], t, t + len)) return -1;
        for (int64_t m = 0; m < st->M; m++) {
            int64_t lo = first_after(st, t - st->minutes[m]), hi = first_from(st, t + len);
            clear_range(rfree_of(st, p->r, m), lo, hi);
            copy_room_starts(st, p->r, m, lo, hi);
        }
    }
    for (int64_t i = 0; i < sec->nkeys; i++)
        if (iv_add(&st->kb[sec->keys[i]], t, t + len)) return -1;
    return 0;
}

/* Take back the latest booking (bookings are taken back last first). */
static void unbook(State *st, const Section *sec, const Placed *p, int64_t len, Undo *undo) {
    int64_t t = st->start[p->k], size = st->M * st->W;
    iv_remove(&st->fb[p->f], t, t + len);
    st->dm[p->f * st->Dmax + st->localday[st->tz[p->f] * st->n + p->k]] -= len;
    memcpy(ffree_of(st, p->f, 0), undo->saved, size * sizeof(uint64_t));
    if (p->r >= 0) {
        iv_remove(&st->rb[p->r], t, t + len);
        memcpy(rfree_of(st, p->r, 0), undo->saved + size, size * sizeof(uint64_t));
        for (int64_t m = 0; m < st->M; m++)
            copy_room_starts(st, p->r, m, first_after(st, t - st->minutes[m]),
                             first_from(st, t + len));
    }
    for (int64_t i = 0; i < sec->nkeys; i++) iv_remove(&st->kb[sec->keys[i]], t, t + len);
}

/* Whether ``next`` may be session i after ``prev`` (session i - 1): it starts once ``prev``
   ends, lo to hi days later (greedy._follows). */
static int follows(const State *st, const Group *g, int64_t i, const Placed *prev,
                   const Placed *next) {
    int64_t days = st->dayidx[next->k] - st->dayidx[prev->k];
    return st->start[next->k] >= st->start[prev->k] + st->minutes[g->mi[i - 1]] &&
           g->lo <= days && days <= g->hi;
}

/* The first session at position k0 with the options (``only``: see cheapest_free), the others
   each at the earliest start their spacing allows (greedy._place_from); left booked when every
   session is placed. ``pin`` (or NULL) gives per session the one that must stay as it is
   (k >= 0): those are booked first, so that a session placed before one of them keeps clear
   of it too, and are not tested again. 1 placed, 0 not, -1 out of memory. */
static int place_from(State *st, const Section *sec, int64_t k0, int64_t only, const Placed *pin,
                      Placed *out) {
    const Group *g = sec->g;
    int64_t n = 0, npinned = 0, pinned_at[MAX_SESSIONS];
    for (int64_t i = 0; pin && i < g->nsess; i++) {
        if (pin[i].k < 0) continue;
        if (book(st, sec, &pin[i], st->minutes[g->mi[i]], &st->undo[MAX_SESSIONS + npinned]))
            return -1;
        pinned_at[npinned++] = i;
    }
    for (int64_t i = 0; i < g->nsess; i++) {
        int64_t m = g->mi[i], len = st->minutes[m];
        if (pin && pin[i].k >= 0) {
            if (n && !follows(st, g, i, &out[n - 1], &pin[i])) break;
            out[n++] = pin[i];
            continue;
        }
        int64_t lo_k = k0, hi_k = k0 + 1;
        const uint64_t *allowed = sec->allowed + i * st->W;
        if (i > 0) { /* after the session before ends, on a day the spacing allows */
            int64_t prev_end = st->start[out[n - 1].k] + st->minutes[g->mi[i - 1]];
            int64_t day = st->dayidx[out[n - 1].k];
            int64_t first = day + g->lo, last = day + g->hi;
            if (first < 0) first = 0;
            if (last > st->ndays - 1) last = st->ndays - 1;
            lo_k = first_from(st, prev_end);
            int64_t day_lo = first_on_day(st, first);
            if (day_lo > lo_k) lo_k = day_lo;
            hi_k = first > last ? lo_k : first_on_day(st, last + 1);
        }
        Placed p = {-1, -1, -1};
        for (int64_t k = lo_k; k < hi_k; k++) {
            if (i > 0 && !bit(allowed, k)) continue;
            if (!learners_fit(st, sec, st->start[k], len)) continue;
            int64_t f = cheapest_free(st, sec, k, m, only);
            if (f < 0) continue;
            int64_t r = -1;
            if (g->in_person) {
                r = free_room(st, sec, k, m);
                if (r < 0) continue;
            }
            p.k = k, p.f = f, p.r = r;
            break;
        }
        if (p.k < 0) break;
        if (book(st, sec, &p, len, &st->undo[n])) return -1;
        out[n++] = p;
    }
    if (n == g->nsess) return 1;
    /* taken back last booked first: the sessions placed here, then the pinned ones */
    while (n--)
        if (!pin || pin[n].k < 0) unbook(st, sec, &out[n], st->minutes[g->mi[n]], &st->undo[n]);
    while (npinned--) {
        int64_t i = pinned_at[npinned];
        unbook(st, sec, &pin[i], st->minutes[g->mi[i]], &st->undo[MAX_SESSIONS + npinned]);
    }
    return 0;
}

/* greedy.place_section (no session pinned): 1 placed (in ``out``), 0 not. */
static int place_section(State *st, const Section *sec, Placed *out) {
    const Group *g = sec->g;
    int64_t m = g->mi[0], len = st->minutes[m], W = st->W;
    if (g->nranked == 0 || (g->in_person && sec->seating[0] == 0)) return 0;
    const uint64_t *allowed = sec->allowed;
    for (int64_t w = 0; w < W; w++) {
        uint64_t want = allowed[w];
        if (!want) continue;
        if (g->in_person) { /* a room free: their union, as far as it is needed */
            uint64_t rooms = 0;
            for (int64_t i = 0; i < sec->seating[0] && (want & ~rooms); i++)
                rooms |= rfree_of(st, sec->seating[1 + i], m)[w];
            want &= rooms;
        }
        uint64_t anyone = 0; /* a facilitator free, the same way */
        for (int64_t j = 0; j < g->nranked && (want & ~anyone); j++)
            anyone |= ffree_of(st, g->ranked[j], m)[w];
        want &= anyone;
        while (want) {
            int64_t k = w * 64 + __builtin_ctzll(want);
            want &= want - 1;
            if (!learners_fit(st, sec, st->start[k], len)) continue;
            if (g->in_person && free_room(st, sec, k, m) < 0) continue;
            if (g->same) {
                for (int64_t j = 0; j < g->nranked; j++) {
                    if (!bit(ffree_of(st, g->ranked[j], m), k)) continue;
                    int ok = place_from(st, sec, k, j, NULL, out);
                    if (ok) return ok;
                }
            } else {
                int ok = place_from(st, sec, k, -1, NULL, out);
                if (ok) return ok;
            }
        }
    }
    return 0;
}

/* greedy.place_section with the sessions of ``pin`` (k >= 0, at least one, not all) kept as
   they are: a section taught by one facilitator throughout tries only its pinned facilitators,
   in the group's ranking; the first session, unless pinned, goes at the earliest start where
   the learners, a room and one of the options are free before the pins are booked (then
   tested again with them booked, in place_from). 1 placed, 0 not, -1 out of memory. */
static int place_pinned(State *st, const Section *sec, const Placed *pin, Placed *out) {
    const Group *g = sec->g;
    int64_t opt[MAX_SESSIONS], nopt = 0; /* places in the ranking, or -1: any of it */
    if (g->same) {
        for (int64_t j = 0; j < g->nranked && nopt < MAX_SESSIONS; j++)
            for (int64_t i = 0; i < g->nsess; i++)
                if (pin[i].k >= 0 && pin[i].f == g->ranked[j]) {
                    opt[nopt++] = j;
                    break;
                }
    } else {
        opt[nopt++] = -1;
    }
    if (pin[0].k >= 0) {
        for (int64_t o = 0; o < nopt; o++) {
            int ok = place_from(st, sec, pin[0].k, opt[o], pin, out);
            if (ok) return ok;
        }
        return 0;
    }
    if (g->in_person && sec->seating[0] == 0) return 0;
    int64_t m = g->mi[0], len = st->minutes[m];
    for (int64_t w = 0; w < st->W; w++) {
        uint64_t want = sec->allowed[w];
        if (!want) continue;
        if (g->in_person) {
            uint64_t rooms = 0;
            for (int64_t i = 0; i < sec->seating[0] && (want & ~rooms); i++)
                rooms |= rfree_of(st, sec->seating[1 + i], m)[w];
            want &= rooms;
        }
        uint64_t anyone = 0;
        for (int64_t o = 0; o < nopt; o++)
            for (int64_t j = opt[o] < 0 ? 0 : opt[o];
                 j < (opt[o] < 0 ? g->nranked : opt[o] + 1) && (want & ~anyone); j++)
                anyone |= ffree_of(st, g->ranked[j], m)[w];
        want &= anyone;
        while (want) {
            int64_t k = w * 64 + __builtin_ctzll(want);
            want &= want - 1;
            if (!learners_fit(st, sec, st->start[k], len)) continue;
            if (g->in_person && free_room(st, sec, k, m) < 0) continue;
            for (int64_t o = 0; o < nopt; o++) {
                if (opt[o] >= 0 && !bit(ffree_of(st, g->ranked[opt[o]], m), k)) continue;
                int ok = place_from(st, sec, k, opt[o], pin, out);
                if (ok) return ok;
            }
        }
    }
    return 0;
}

/* A section of the plan a re-plan starts from (greedy._previous_sections): its sessions that
   still fit where they were (``pins``: index, position, facilitator, room or -1, four each,
   those Python could rule out left out) are kept, each tested with the ones kept before it
   booked (greedy._still_valid); kept as it is when all still fit and the days between them
   still keep the gap, else placed again around the ones that fit, else placed afresh.
   1 placed, 0 not, -1 out of memory; BAD_INPUT is told by ``bad``. */
static int keep_section(State *st, const Section *sec, const int64_t *pins, int64_t npins,
                        Placed *out, int *bad) {
    const Group *g = sec->g;
    Placed pin[MAX_SESSIONS];
    int64_t order[MAX_SESSIONS], kept = 0;
    for (int64_t i = 0; i < g->nsess; i++) pin[i].k = -1;
    for (int64_t j = 0; j < npins; j++) {
        int64_t i = pins[4 * j], k = pins[4 * j + 1], f = pins[4 * j + 2], r = pins[4 * j + 3];
        if (i < 0 || i >= g->nsess || k < 0 || k >= st->n || f < 0 || f >= st->F ||
            r < -1 || r >= st->R || (r >= 0) != (g->in_person != 0)) {
            *bad = 1;
            break;
        }
        if (pin[i].k >= 0) continue; /* a session of that index is kept already */
        int64_t m = g->mi[i], len = st->minutes[m];
        if (!bit(sec->allowed + i * st->W, k) || !bit(ffree_of(st, f, m), k) ||
            !learners_fit(st, sec, st->start[k], len) || (r >= 0 && !bit(rfree_of(st, r, m), k)))
            continue;
        Placed p = {k, f, r};
        if (book(st, sec, &p, len, &st->undo[MAX_SESSIONS + kept])) return -1;
        pin[i] = p, order[kept++] = i;
    }
    int whole = !*bad && kept == g->nsess;
    for (int64_t i = 1; whole && i < g->nsess; i++) whole = follows(st, g, i, &pin[i - 1], &pin[i]);
    if (whole) {
        memcpy(out, pin, g->nsess * sizeof(Placed));
        return 1;
    }
    for (int64_t j = kept; j--;)
        unbook(st, sec, &pin[order[j]], st->minutes[g->mi[order[j]]], &st->undo[MAX_SESSIONS + j]);
    if (*bad) return 0;
    if (kept && kept < g->nsess) {
        int ok = place_pinned(st, sec, pin, out);
        if (ok) return ok;
    }
    return place_section(st, sec, out);
}

/* ---- reading the input -------------------------------------------------------------------- */

typedef struct {
    const int64_t *p, *end;
    int bad;
} Reader;

static int64_t next(Reader *r) {
    if (r->p >= r->end) {
        r->bad = 1;
        return 0;
    }
    return *r->p++;
}

static int64_t *take(Reader *r, int64_t count) { /* ``count`` ints read in place */
    if (count < 0 || r->end - r->p < count) {
        r->bad = 1;
        return NULL;
    }
    int64_t *out = (int64_t *)r->p;
    r->p += count;
    return out;
}

typedef struct {
    int64_t nsess, nkeys;
    const uint64_t *words; /* [nsess][W]: the allowed starts of each session */
    const int64_t *keys;
} Cohort;

typedef struct {
    Cohort *cohorts;
    int64_t ncohorts, cohorts_cap;
    uint64_t *allowed; /* [MAX_SESSIONS][W]: the section's, all its cohorts' starts */
    int64_t *keys, keys_cap;
    int64_t *out, written, out_cap;
} Work;

enum { PLACED_ALL = 0, BAD_INPUT = 1, NO_MEMORY = 2 };

static int compare_keys(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One section read from ``rd`` (group, rooms, cohorts): its starts allowed for every cohort
   (greedy.allowed_starts) and its learners' and conflict groups' keys, once each. */
static int read_section(State *st, Work *wk, Reader *rd, Section *sec) {
    int64_t g = next(rd), s = next(rd), n = next(rd);
    const int64_t *cohorts = take(rd, n);
    if (rd->bad || g < 0 || g >= st->G || s < 0 || s >= st->S || n < 1) return BAD_INPUT;
    sec->g = &st->groups[g], sec->seating = st->seating[s];
    sec->seats = st->seats + s * st->RW;
    sec->seat_lo = sec->seating[0] ? sec->seating[1] >> 6 : 0;
    sec->seat_hi = sec->seating[0] ? (sec->seating[sec->seating[0]] >> 6) + 1 : 0;
    int64_t nsess = sec->g->nsess, W = st->W, nkeys = 0;
    for (int64_t c = 0; c < n; c++) {
        if (cohorts[c] < 0 || cohorts[c] >= wk->ncohorts) return BAD_INPUT;
        const Cohort *co = &wk->cohorts[cohorts[c]];
        if (co->nsess != nsess) return BAD_INPUT;
        for (int64_t i = 0; i < nsess * W; i++)
            wk->allowed[i] = c ? wk->allowed[i] & co->words[i] : co->words[i];
        nkeys += co->nkeys;
    }
    if (nkeys > wk->keys_cap) {
        int64_t *grown = realloc(wk->keys, (nkeys + 1) * sizeof(int64_t));
        if (!grown) return NO_MEMORY;
        wk->keys = grown, wk->keys_cap = nkeys;
    }
    nkeys = 0;
    for (int64_t c = 0; c < n; c++) {
        const Cohort *co = &wk->cohorts[cohorts[c]];
        memcpy(wk->keys + nkeys, co->keys, co->nkeys * sizeof(int64_t));
        nkeys += co->nkeys;
    }
    if (n > 1) { /* cohorts may share a learner or a conflict group */
        qsort(wk->keys, nkeys, sizeof(int64_t), compare_keys);
        int64_t kept = 0;
        for (int64_t i = 0; i < nkeys; i++)
            if (!kept || wk->keys[kept - 1] != wk->keys[i]) wk->keys[kept++] = wk->keys[i];
        nkeys = kept;
    }
    sec->keys = wk->keys, sec->nkeys = nkeys, sec->allowed = wk->allowed;
    return PLACED_ALL;
}

/* The answer for one section appended to wk->out: 0, or its sessions. */
static int write_placed(Work *wk, const Section *sec, int ok, const Placed *placed) {
    int64_t need = wk->written + 1 + (ok ? 3 * sec->g->nsess : 0);
    if (need > wk->out_cap) {
        int64_t *grown = realloc(wk->out, need * 2 * sizeof(int64_t));
        if (!grown) return NO_MEMORY;
        wk->out = grown, wk->out_cap = need * 2;
    }
    wk->out[wk->written++] = ok ? sec->g->nsess : 0;
    for (int64_t i = 0; ok && i < sec->g->nsess; i++) {
        wk->out[wk->written++] = placed[i].k;
        wk->out[wk->written++] = placed[i].f;
        wk->out[wk->written++] = placed[i].r;
    }
    return PLACED_ALL;
}

/* Every section in turn (``keeping``: each with the sessions of the plan it was, see
   keep_section), its answer appended to wk->out. Needs no Python: runs without the
   interpreter's lock, so that the solve's heartbeat goes on meanwhile. */
static int place_all(State *st, Work *wk, Reader *rd, int keeping) {
    Placed placed[MAX_SESSIONS];
    for (int64_t p = 0; p < st->P; p++) {
        Section sec;
        int code = read_section(st, wk, rd, &sec), bad = 0, ok;
        if (code != PLACED_ALL) return code;
        if (keeping) {
            int64_t npins = next(rd);
            const int64_t *pins = take(rd, 4 * npins);
            if (rd->bad) return BAD_INPUT;
            ok = keep_section(st, &sec, pins, npins, placed, &bad);
            if (bad) return BAD_INPUT;
        } else {
            ok = place_section(st, &sec, placed);
        }
        if (ok < 0) return NO_MEMORY;
        code = write_placed(wk, &sec, ok, placed);
        if (code != PLACED_ALL) return code;
    }
    return rd->p == rd->end ? PLACED_ALL : BAD_INPUT;
}

static void free_state(State *st) {
    if (st->fb) for (int64_t i = 0; i < st->F; i++) free(st->fb[i].s), free(st->fb[i].e);
    if (st->rb) for (int64_t i = 0; i < st->R; i++) free(st->rb[i].s), free(st->rb[i].e);
    if (st->kb) for (int64_t i = 0; i < st->K; i++) free(st->kb[i].s), free(st->kb[i].e);
    free(st->fb), free(st->rb), free(st->kb);
    free(st->ffree), free(st->rfree), free(st->dm), free(st->groups), free(st->seating);
    free(st->seats), free(st->rooms_at), free(st->favail), free(st->freluct), free(st->ravail);
    if (st->undo) free(st->undo[0].saved);
    free(st->undo);
}

/* A resource's intervals (count, then start and end of each, in model minutes) as the starts
of a session of each length that lie inside one (``StartSets.within``) or, ``touching``, that
overlap one (``StartSets.clashing``: an if-need-be window). */
static int read_starts(const State *st, Reader *rd, uint64_t *sets, int touching) {
    int64_t count = next(rd);
    const int64_t *pairs = take(rd, 2 * count);
    if (rd->bad) return 1;
    for (int64_t m = 0; m < st->M; m++) {
        int64_t len = st->minutes[m];
        for (int64_t i = 0; i < count; i++) {
            int64_t a = pairs[2 * i], b = pairs[2 * i + 1];
            if (touching)
                set_range(sets + m * st->W, first_after(st, a - len), first_from(st, b));
            else
                set_range(sets + m * st->W, first_from(st, a), first_after(st, b - len));
        }
    }
    return 0;
}

/* One resource's bookings (count, then start and end of each), each added to ``v``; bookings
   that overlap are refused (the Python loop takes a calendar where they do). */
static int read_booked(Reader *rd, Ivals *v) {
    int64_t count = next(rd);
    const int64_t *pairs = take(rd, 2 * count);
    if (rd->bad) return BAD_INPUT;
    for (int64_t i = 0; i < count; i++) {
        int64_t a = pairs[2 * i], b = pairs[2 * i + 1];
        if (b <= a || iv_clash(v, a, b)) return BAD_INPUT;
        if (iv_add(v, a, b)) return NO_MEMORY;
    }
    return PLACED_ALL;
}

/* What the calendar holds already (fixed sessions, sections kept of a previous plan): each
   facilitator's bookings and the minutes they teach on their local days (count, then day and
   minutes of each), each room's bookings, each learner or conflict group's. */
static int read_bookings(State *st, Reader *rd) {
    for (int64_t f = 0; f < st->F; f++) {
        int code = read_booked(rd, &st->fb[f]);
        if (code != PLACED_ALL) return code;
        int64_t count = next(rd);
        const int64_t *days = take(rd, 2 * count);
        if (rd->bad) return BAD_INPUT;
        for (int64_t i = 0; i < count; i++) {
            int64_t d = days[2 * i], minutes = days[2 * i + 1];
            if (d < 0 || d >= st->ndays_tz[st->tz[f]] || minutes < 0) return BAD_INPUT;
            st->dm[f * st->Dmax + d] += minutes;
        }
    }
    for (int64_t r = 0; r < st->R; r++) {
        int code = read_booked(rd, &st->rb[r]);
        if (code != PLACED_ALL) return code;
    }
    for (int64_t k = 0; k < st->K; k++) {
        int code = read_booked(rd, &st->kb[k]);
        if (code != PLACED_ALL) return code;
    }
    return PLACED_ALL;
}

/* The grid, resources and groups, checked; the free sets made, the calendar's bookings in. */
static int read_calendar(State *st, Work *wk, Reader *rd) {
    st->n = next(rd), st->W = next(rd), st->ndays = next(rd);
    st->F = next(rd), st->R = next(rd), st->K = next(rd), st->M = next(rd), st->T = next(rd);
    st->G = next(rd), st->Dmax = next(rd);
    st->start = take(rd, st->n), st->dayidx = take(rd, st->n), st->minutes = take(rd, st->M);
    st->buffer = take(rd, st->F), st->maxday = take(rd, st->F), st->reluct = take(rd, st->F);
    st->tz = take(rd, st->F);
    st->localday = take(rd, st->T * st->n), st->ndays_tz = take(rd, st->T);
    st->dayfirst = take(rd, st->T * (st->Dmax + 1));
    if (rd->bad || st->W * 64 < st->n || st->Dmax < 0 || st->R < 0 || st->G < 0) return BAD_INPUT;
    for (int64_t m = 0; m < st->M; m++)
        if (st->minutes[m] <= 0) return BAD_INPUT;
    for (int64_t k = 1; k < st->n; k++)
        if (st->start[k] <= st->start[k - 1] || st->dayidx[k] < st->dayidx[k - 1]) return BAD_INPUT;
    st->favail = calloc(st->F * st->M * st->W + 1, sizeof(uint64_t));
    st->freluct = calloc(st->F * st->M * st->W + 1, sizeof(uint64_t));
    st->ravail = calloc(st->R * st->M * st->W + 1, sizeof(uint64_t));
    if (!st->favail || !st->freluct || !st->ravail) return NO_MEMORY;
    for (int64_t f = 0; f < st->F; f++) { /* bookable, then if-need-be intervals */
        if (read_starts(st, rd, st->favail + f * st->M * st->W, 0)) return BAD_INPUT;
        if (read_starts(st, rd, st->freluct + f * st->M * st->W, 1)) return BAD_INPUT;
    }
    for (int64_t r = 0; r < st->R; r++)
        if (read_starts(st, rd, st->ravail + r * st->M * st->W, 0)) return BAD_INPUT;
    for (int64_t t = 0; t < st->T; t++) {
        if (st->ndays_tz[t] < 0 || st->ndays_tz[t] > st->Dmax) return BAD_INPUT;
        for (int64_t k = 0; k < st->n; k++)
            if (st->localday[t * st->n + k] < 0 || st->localday[t * st->n + k] >= st->ndays_tz[t])
                return BAD_INPUT;
        for (int64_t d = 0; d <= st->Dmax; d++) {
            int64_t first = st->dayfirst[t * (st->Dmax + 1) + d];
            if (first < 0 || first > st->n) return BAD_INPUT;
        }
    }
    for (int64_t f = 0; f < st->F; f++)
        if (st->tz[f] < 0 || st->tz[f] >= st->T) return BAD_INPUT;

    st->ffree = malloc((st->F * st->M * st->W + 1) * sizeof(uint64_t));
    st->rfree = malloc((st->R * st->M * st->W + 1) * sizeof(uint64_t));
    st->dm = calloc(st->F * st->Dmax + 1, sizeof(int64_t));
    st->fb = calloc(st->F + 1, sizeof(Ivals)), st->rb = calloc(st->R + 1, sizeof(Ivals));
    st->kb = calloc(st->K + 1, sizeof(Ivals));
    st->groups = calloc(st->G + 1, sizeof(Group));
    st->RW = (st->R + 63) / 64;
    st->rooms_at = calloc(st->M * st->n * st->RW + 1, sizeof(uint64_t));
    st->undo = calloc(2 * MAX_SESSIONS, sizeof(Undo));
    wk->allowed = malloc((MAX_SESSIONS * st->W + 1) * sizeof(uint64_t));
    if (st->undo)
        st->undo[0].saved = malloc((2 * MAX_SESSIONS * 2 * st->M * st->W + 1) * sizeof(uint64_t));
    if (!st->ffree || !st->rfree || !st->dm || !st->fb || !st->rb || !st->kb || !st->groups ||
        !st->undo || !st->undo[0].saved || !wk->allowed || !st->rooms_at)
        return NO_MEMORY;
    for (int64_t i = 1; i < 2 * MAX_SESSIONS; i++)
        st->undo[i].saved = st->undo[0].saved + i * 2 * st->M * st->W;
    int code = read_bookings(st, rd);
    if (code != PLACED_ALL) return code;
    for (int64_t f = 0; f < st->F; f++) refresh_facilitator(st, f);
    for (int64_t r = 0; r < st->R; r++) {
        refresh_room(st, r);
        for (int64_t m = 0; m < st->M; m++) fill_room_starts(st, r, m);
    }

    for (int64_t g = 0; g < st->G; g++) {
        Group *gr = &st->groups[g];
        gr->nsess = next(rd), gr->lo = next(rd), gr->hi = next(rd);
        gr->in_person = next(rd), gr->same = next(rd);
        gr->mi = take(rd, gr->nsess);
        gr->nranked = next(rd);
        gr->ranked = take(rd, gr->nranked);
        gr->base = take(rd, gr->nranked * st->M);
        gr->order = take(rd, st->M * gr->nranked);
        if (rd->bad || gr->nsess < 1 || gr->nsess > MAX_SESSIONS) return BAD_INPUT;
        for (int64_t i = 0; i < gr->nsess; i++)
            if (gr->mi[i] < 0 || gr->mi[i] >= st->M) return BAD_INPUT;
        for (int64_t j = 0; j < gr->nranked; j++)
            if (gr->ranked[j] < 0 || gr->ranked[j] >= st->F) return BAD_INPUT;
        for (int64_t i = 0; i < st->M * gr->nranked; i++)
            if (gr->order[i] < 0 || gr->order[i] >= gr->nranked) return BAD_INPUT;
    }
    return rd->p == rd->end ? PLACED_ALL : BAD_INPUT;
}

/* The room lists and cohorts a call brings (numbered after those before), then its count of
   sections: a call's input stays held by the calendar, which points into it. */
static int read_batch(State *st, Work *wk, Reader *rd, const uint64_t *words, int64_t nwords) {
    int64_t S = next(rd), C = next(rd);
    st->P = next(rd);
    if (rd->bad || S < 0 || C < 0 || st->P < 0) return BAD_INPUT;
    if (S) {
        int64_t **seating = realloc(st->seating, (st->S + S) * sizeof(int64_t *));
        if (!seating) return NO_MEMORY;
        st->seating = seating;
        uint64_t *seats = realloc(st->seats, ((st->S + S) * st->RW + 1) * sizeof(uint64_t));
        if (!seats) return NO_MEMORY;
        st->seats = seats;
        memset(seats + st->S * st->RW, 0, S * st->RW * sizeof(uint64_t));
    }
    for (int64_t s = st->S; s < st->S + S; s++) {
        int64_t count = next(rd);
        st->seating[s] = (int64_t *)rd->p - 1;
        int64_t *rooms = take(rd, count);
        if (rd->bad) return BAD_INPUT;
        for (int64_t i = 0; i < count; i++) {
            if (rooms[i] < 0 || rooms[i] >= st->R || (i && rooms[i] <= rooms[i - 1]))
                return BAD_INPUT; /* free_room takes the lowest: the order must be theirs */
            st->seats[s * st->RW + (rooms[i] >> 6)] |= 1ULL << (rooms[i] & 63);
        }
    }
    st->S += S;
    if (wk->ncohorts + C > wk->cohorts_cap) {
        int64_t cap = (wk->ncohorts + C) * 2;
        Cohort *grown = realloc(wk->cohorts, (cap + 1) * sizeof(Cohort));
        if (!grown) return NO_MEMORY;
        wk->cohorts = grown, wk->cohorts_cap = cap;
    }
    for (int64_t c = 0; c < C; c++) { /* sessions, first allowed word, keys */
        Cohort *co = &wk->cohorts[wk->ncohorts + c];
        int64_t at;
        co->nsess = next(rd), at = next(rd), co->nkeys = next(rd);
        co->keys = take(rd, co->nkeys);
        if (rd->bad || co->nsess < 1 || co->nsess > MAX_SESSIONS || at < 0 ||
            at + co->nsess * st->W > nwords)
            return BAD_INPUT;
        co->words = words + at;
        for (int64_t i = 0; i < co->nkeys; i++)
            if (co->keys[i] < 0 || co->keys[i] >= st->K) return BAD_INPUT;
    }
    wk->ncohorts += C;
    return PLACED_ALL;
}

/* ---- the calendar as a Python object ------------------------------------------------------ */

typedef struct {
    State st;
    Work wk;
    Py_buffer *held; /* every input read: the state points into them */
    int64_t nheld, held_cap;
    int broken; /* a call failed half-way: what it booked is unknown */
} Placement;

static const char *CAPSULE = "solver._greedy.calendar";

static void free_placement(Placement *pl) {
    free_state(&pl->st);
    free(pl->wk.out), free(pl->wk.keys), free(pl->wk.allowed), free(pl->wk.cohorts);
    for (int64_t i = 0; i < pl->nheld; i++) PyBuffer_Release(&pl->held[i]);
    free(pl->held);
    free(pl);
}

static void capsule_gone(PyObject *capsule) {
    Placement *pl = PyCapsule_GetPointer(capsule, CAPSULE);
    if (pl) free_placement(pl);
}

/* Keep ``buf`` held by the calendar (released with it). */
static int hold(Placement *pl, Py_buffer *buf) {
    if (pl->nheld == pl->held_cap) {
        int64_t cap = pl->held_cap ? pl->held_cap * 2 : 4;
        Py_buffer *grown = realloc(pl->held, cap * sizeof(Py_buffer));
        if (!grown) return NO_MEMORY;
        pl->held = grown, pl->held_cap = cap;
    }
    pl->held[pl->nheld++] = *buf;
    return PLACED_ALL;
}

static PyObject *raise_for(int code) {
    if (code == NO_MEMORY) return PyErr_NoMemory();
    PyErr_SetString(PyExc_ValueError, "malformed placement input");
    return NULL;
}

static PyObject *calendar(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer ib;
    if (!PyArg_ParseTuple(args, "y*", &ib)) return NULL;
    Placement *pl = calloc(1, sizeof(Placement));
    if (!pl || hold(pl, &ib)) {
        PyBuffer_Release(&ib);
        free(pl);
        return PyErr_NoMemory();
    }
    Reader rd = {(const int64_t *)ib.buf, (const int64_t *)ib.buf + ib.len / 8, 0};
    int code = read_calendar(&pl->st, &pl->wk, &rd);
    if (code != PLACED_ALL) {
        free_placement(pl);
        return raise_for(code);
    }
    PyObject *capsule = PyCapsule_New(pl, CAPSULE, capsule_gone);
    if (!capsule) free_placement(pl);
    return capsule;
}

/* keep(calendar, ints, words) or place(...): the batch read, its sections placed in turn. */
static PyObject *run(PyObject *args, int keeping) {
    PyObject *capsule;
    Py_buffer ib, wb;
    if (!PyArg_ParseTuple(args, "Oy*y*", &capsule, &ib, &wb)) return NULL;
    Placement *pl = PyCapsule_GetPointer(capsule, CAPSULE);
    if (!pl || pl->broken) {
        PyBuffer_Release(&ib), PyBuffer_Release(&wb);
        if (pl) PyErr_SetString(PyExc_ValueError, "this calendar failed before: make another");
        return NULL;
    }
    if (hold(pl, &ib)) {
        PyBuffer_Release(&ib), PyBuffer_Release(&wb);
        return PyErr_NoMemory();
    }
    if (hold(pl, &wb)) {
        PyBuffer_Release(&wb);
        return PyErr_NoMemory();
    }
    Reader rd = {(const int64_t *)ib.buf, (const int64_t *)ib.buf + ib.len / 8, 0};
    pl->wk.written = 0;
    int code = read_batch(&pl->st, &pl->wk, &rd, wb.buf, wb.len / 8);
    if (code == PLACED_ALL) {
        Py_BEGIN_ALLOW_THREADS
        code = place_all(&pl->st, &pl->wk, &rd, keeping);
        Py_END_ALLOW_THREADS
    }
    if (code != PLACED_ALL) {
        pl->broken = 1;
        return raise_for(code);
    }
    return PyBytes_FromStringAndSize((const char *)pl->wk.out, pl->wk.written * sizeof(int64_t));
}

static PyObject *keep(PyObject *Py_UNUSED(module), PyObject *args) { return run(args, 1); }

static PyObject *place(PyObject *Py_UNUSED(module), PyObject *args) { return run(args, 0); }

static PyMethodDef methods[] = {
    {"calendar", calendar, METH_VARARGS,
     "calendar(ints) -> the calendar the other calls place in (see solver.compiled_greedy)."},
    {"keep", keep, METH_VARARGS,
     "keep(calendar, ints, words) -> bytes: the sections of a plan kept where they still fit."},
    {"place", place, METH_VARARGS,
     "place(calendar, ints, words) -> bytes: the sections placed in order."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_greedy", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__greedy(void) { return PyModule_Create(&module); }
