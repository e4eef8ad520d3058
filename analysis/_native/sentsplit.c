/* sentsplit: compiled twin of the sentence splitter, tokens.split_sentences (layout, Punkt,
 * repairs) and punkt_fast.sent_spans.
 *
 * Splitting a 2 MB corpus into sentences spends most of its time in nupunkt's candidate scan
 * (a regex per sentence-end character, then a Python loop re-reading the text around it), the
 * slicing and realignment loop, and the per-sentence repair checks of analysis/tokens.py; each is
 * a handful of character tests per candidate, cheap in C and costly as Python bytecode. This
 * module runs them over the text's own buffer without copying it.
 *
 * Only the decisions stay in Python: a candidate whose context is a plain word ("said.") is
 * looked up in punkt_fast's memo of the plain rule (its function is called on a miss), any other
 * context goes to nupunkt's memoised decision function; the rare layout lines that may be hard
 * line starts go to tokens._HARD_LINE_START. The layout pass reads and fills the same memo
 * tables as the Python one (tokens.sentence_memo).
 *
 * The pure-Python twins are the reference: punkt_fast._slices/sent_spans (re-stated from
 * nupunkt 0.8, PunktSentenceTokenizer._match_potential_end_contexts, _slices_from_text,
 * _realign_boundaries; punkt_fast._restated_by_native keeps this module to tokenizers whose
 * patterns are those) and tokens.split_sentences with everything it calls (_paragraph_units,
 * _continues, _is_wrapped, _unit_sentences, _repair, _joins, _lowercase_word_ends). The word
 * lists below are copies of tokens.py's; the tests try every word. Character classes follow
 * Python's str semantics: \s and str.isspace/strip/split are Py_UNICODE_ISSPACE, \w is
 * Py_UNICODE_ISALNUM or '_', \d is Py_UNICODE_ISDECIMAL, str.islower/isupper of one character
 * are Py_UNICODE_ISLOWER/ISUPPER. tests/test_native_sentsplit.py asserts identical results.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "growable.h"
#include <string.h>

/* ---------------------------------------------------------------- text view and classes */

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
    int nl_space; /* read '\n' as ' ' (tokens._unit_sentences hands Punkt such a copy) */
} view;

static inline Py_UCS4 at(const view *t, Py_ssize_t i)
{
    Py_UCS4 c = PyUnicode_READ(t->kind, t->data, i);
    return (c == '\n' && t->nl_space) ? ' ' : c;
}

static inline int is_space(Py_UCS4 c) { return Py_UNICODE_ISSPACE(c); }

static inline int is_word(Py_UCS4 c) { return c == '_' || Py_UNICODE_ISALNUM(c); }

/* [^\W\d_]: a word character that is no decimal digit and no underscore. */
static inline int is_letterish(Py_UCS4 c)
{
    return c != '_' && Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}

static inline int is_ascii_upper(Py_UCS4 c) { return c >= 'A' && c <= 'Z'; }
static inline int is_ascii_lower(Py_UCS4 c) { return c >= 'a' && c <= 'z'; }
static inline int is_ascii_alpha(Py_UCS4 c) { return is_ascii_upper(c) || is_ascii_lower(c); }

/* nupunkt's _CLOSING_CHARS: "')]}\u201d\u2019\u00bb* and the double quote. */
static inline int is_closing(Py_UCS4 c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == 0x201d ||
           c == 0x2019 || c == 0x00bb || c == '*';
}

static inline int is_end_char(Py_UCS4 c)
{
    return c == '.' || c == '?' || c == '!' || c == 0x2026;
}

/* Marks the hot scans stop at: 1 for . ? ! (\u2026 is tested apart), 2 for '('. */
static unsigned char mark_table[256];

/* The first index at or after p, before n, holding a sentence-end character (or '(' when
 * paren is set), else n: the scans skip plain text with the storage kind hoisted out of the
 * loop and one table lookup per character. */
#define NEXT_MARK_LOOP(T)                                                                     \
    {                                                                                         \
        const T *d = (const T *)t->data;                                                      \
        for (; p < n; p++) {                                                                  \
            Py_UCS4 c = d[p];                                                                 \
            if (c < 256 ? (mark_table[c] & mask) != 0 : c == 0x2026)                          \
                return p;                                                                     \
        }                                                                                     \
        return n;                                                                             \
    }

static Py_ssize_t next_mark(const view *t, Py_ssize_t p, Py_ssize_t n, int paren)
{
    unsigned char mask = paren ? 3 : 1;
    switch (t->kind) {
    case PyUnicode_1BYTE_KIND:
        NEXT_MARK_LOOP(Py_UCS1)
    case PyUnicode_2BYTE_KIND:
        NEXT_MARK_LOOP(Py_UCS2)
    default:
        NEXT_MARK_LOOP(Py_UCS4)
    }
}

/* The single-character alternative of nupunkt's _re_non_word_chars (whitespace included). */
static inline int is_non_word_char(Py_UCS4 c)
{
    switch (c) {
    case ')': case '"': case ';': case '}': case ']': case '*': case ':': case '@':
    case '(': case '{': case '[': case '?': case '!': case 0x201d: case 0x00bb:
        return 1;
    default:
        return is_space(c);
    }
}

/* ---------------------------------------------------------------- growable span buffer */

typedef struct {
    Py_ssize_t *v; /* start, stop pairs */
    Py_ssize_t size, cap; /* in pairs */
} spans;

static int spans_push(spans *s, Py_ssize_t a, Py_ssize_t b)
{
    if (s->size == s->cap) {
        Py_ssize_t *v = grow_array(s->v, &s->cap, s->size + 1, 2 * sizeof(Py_ssize_t), 32);
        if (v == NULL)
            return -1;
        s->v = v;
    }
    s->v[2 * s->size] = a;
    s->v[2 * s->size + 1] = b;
    s->size++;
    return 0;
}

static void spans_free(spans *s)
{
    PyMem_Free(s->v);
    s->v = NULL;
    s->size = s->cap = 0;
}

static PyObject *pair(Py_ssize_t a, Py_ssize_t b)
{
    PyObject *x = PyLong_FromSsize_t(a), *y = x ? PyLong_FromSsize_t(b) : NULL;
    PyObject *p = y ? PyTuple_New(2) : NULL;
    if (p == NULL) {
        Py_XDECREF(x);
        Py_XDECREF(y);
        return NULL;
    }
    PyTuple_SET_ITEM(p, 0, x);
    PyTuple_SET_ITEM(p, 1, y);
    /* Two ints can form no reference cycle: untracked now (as the collector would untrack it
     * later), the many pairs a corpus makes cost the collector nothing. */
    PyObject_GC_UnTrack(p);
    return p;
}

/* A memo entry's (start, end) pair shifted by offset, as a new pair (NULL on error). */
static PyObject *shifted_pair(PyObject *item, Py_ssize_t offset)
{
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
        PyErr_SetString(PyExc_TypeError, "sentence memo holds a non-pair");
        return NULL;
    }
    Py_ssize_t a = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 0));
    if (a == -1 && PyErr_Occurred())
        return NULL;
    Py_ssize_t b = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 1));
    if (b == -1 && PyErr_Occurred())
        return NULL;
    return pair(a + offset, b + offset);
}

/* ---------------------------------------------------------------- decisions */

typedef struct {
    PyObject *plain_memo;     /* dict: candidate word -> verdict of the plain rule */
    PyObject *breaks_plainly; /* callable(word) -> verdict, filling plain_memo */
    PyObject *decide;         /* nupunkt's memoised callable((before, after)) -> bool */
} deciders;

static PyObject *newline_str, *space_str; /* "\n" and " ", made at import */

/* A substring of the text as Punkt sees it (newlines as spaces when the view says so). */
static PyObject *piece(PyObject *text, const view *t, Py_ssize_t a, Py_ssize_t b)
{
    PyObject *s = PyUnicode_Substring(text, a, b);
    if (s == NULL || !t->nl_space)
        return s;
    Py_ssize_t nl = PyUnicode_FindChar(s, '\n', 0, b - a, 1);
    if (nl == -1)
        return s;
    if (nl == -2) {
        Py_DECREF(s);
        return NULL;
    }
    PyObject *r = PyUnicode_Replace(s, newline_str, space_str, -1);
    Py_DECREF(s);
    return r;
}

/* punkt_fast's contains_sentbreak for the context text[ws:split] + text[split:end]:
 * 1 break, 0 none, -1 error. */
static int contains_sentbreak(PyObject *text, const view *t, const deciders *d,
                              Py_ssize_t ws, Py_ssize_t split, Py_ssize_t end)
{
    PyObject *before = piece(text, t, ws, split);
    if (before == NULL)
        return -1;
    /* A plain word ([A-Za-z]{2,}\.) followed by nothing, or by whitespace not leading to '.'. */
    int plain = split - ws >= 3 && at(t, split - 1) == '.';
    for (Py_ssize_t i = ws; plain && i < split - 1; i++)
        plain = is_ascii_alpha(at(t, i));
    if (plain && split < end) {
        if (!is_space(at(t, split))) {
            plain = 0;
        } else {
            Py_ssize_t j = split;
            while (j < end && is_space(at(t, j)))
                j++;
            plain = !(j < end && at(t, j) == '.');
        }
    }
    if (plain) {
        PyObject *verdict = PyDict_GetItemWithError(d->plain_memo, before);
        int yes;
        if (verdict != NULL) {
            yes = PyObject_IsTrue(verdict);
        } else if (PyErr_Occurred()) {
            yes = -1;
        } else {
            verdict = PyObject_CallOneArg(d->breaks_plainly, before);
            yes = verdict == NULL ? -1 : PyObject_IsTrue(verdict);
            Py_XDECREF(verdict);
        }
        if (yes != 0) {
            Py_DECREF(before);
            return yes;
        }
    }
    PyObject *after = piece(text, t, split, end);
    if (after == NULL) {
        Py_DECREF(before);
        return -1;
    }
    PyObject *context = PyTuple_Pack(2, before, after);
    Py_DECREF(before);
    Py_DECREF(after);
    if (context == NULL)
        return -1;
    PyObject *verdict = PyObject_CallOneArg(d->decide, context);
    Py_DECREF(context);
    if (verdict == NULL)
        return -1;
    int yes = PyObject_IsTrue(verdict);
    Py_DECREF(verdict);
    return yes;
}

/* ---------------------------------------------------------------- Punkt slices */

/* nupunkt's _is_line_start_enumerator: the period at pos ends "1.", "(a).", "IV." at line start,
 * i.e. text[line:pos+1] fullmatches [ \t]*\(?(?:\d{1,3}|[A-Za-z]|[ivxlcIVXLC]{1,6})\)?\. */
static int line_start_enumerator(const view *t, Py_ssize_t pos)
{
    Py_ssize_t lo = pos > 12 ? pos - 12 : 0;
    Py_ssize_t nl = -1;
    for (Py_ssize_t i = pos - 1; i >= lo; i--)
        if (at(t, i) == '\n') {
            nl = i;
            break;
        }
    if (nl == -1 && lo)
        return 0;
    Py_ssize_t i = nl + 1, j = pos;
    while (i < j && (at(t, i) == ' ' || at(t, i) == '\t'))
        i++;
    if (i < j && at(t, i) == '(')
        i++;
    if (j > i && at(t, j - 1) == ')')
        j--;
    Py_ssize_t len = j - i;
    if (len < 1)
        return 0;
    if (len == 1 && is_ascii_alpha(at(t, i)))
        return 1;
    int digits = len <= 3, roman = len <= 6;
    for (Py_ssize_t k = i; k < j && (digits || roman); k++) {
        Py_UCS4 c = at(t, k);
        digits = digits && Py_UNICODE_ISDECIMAL(c);
        roman = roman && c != 0 && c < 128 && strchr("ivxlcIVXLC", (int)c) != NULL;
    }
    return digits || roman;
}

typedef struct {
    PyObject *text;
    const view *t;
    const deciders *d;
    spans *slices;
    Py_ssize_t last_break;
} slicer;

/* One candidate of the scan through punkt_fast._slices' loop body: 0 done, -1 error. */
static int slice_candidate(slicer *s, Py_ssize_t p, Py_ssize_t ws, Py_ssize_t split,
                           Py_ssize_t end)
{
    const view *t = s->t;
    Py_ssize_t n = t->n;
    if (at(t, p) == '.' && line_start_enumerator(t, p))
        return 0;
    Py_ssize_t pos = p + 1;
    if (pos < n && (at(t, pos) == '!' || at(t, pos) == '?'))
        return 0;
    Py_ssize_t k = pos;
    while (k < n && (at(t, k) == ' ' || at(t, k) == '\t'))
        k++;
    if (k > pos && k < n && (at(t, k) == '!' || at(t, k) == '?')) {
        if (k + 1 == n)
            return 0;
        Py_UCS4 c = at(t, k + 1);
        if (is_space(c) || c == '!' || c == '?')
            return 0;
    }
    if (pos < n && is_closing(at(t, pos))) {
        while (pos < n && is_closing(at(t, pos)))
            pos++;
        while (pos < n && (at(t, pos) == ' ' || at(t, pos) == '\t'))
            pos++;
        if (pos < n && Py_UNICODE_ISLOWER(at(t, pos)))
            return 0;
    }
    int yes = contains_sentbreak(s->text, t, s->d, ws, split, end);
    if (yes < 0)
        return -1;
    if (yes) {
        if (spans_push(s->slices, s->last_break, p + 1) < 0)
            return -1;
        pos = p + 1;
        while (pos < n && is_space(at(t, pos)))
            pos++;
        s->last_break = pos;
    }
    return 0;
}

/* Index just past the last whitespace in text[a:b], or -1 (nupunkt's _RE_LAST_WS match end). */
static Py_ssize_t last_ws_end(const view *t, Py_ssize_t a, Py_ssize_t b)
{
    for (Py_ssize_t i = b - 1; i >= a; i--)
        if (is_space(at(t, i)))
            return i + 1;
    return -1;
}

/* punkt_fast._slices: nupunkt's candidate scan (_match_potential_end_contexts, the candidate
 * regex read character by character) feeding the slicing loop. */
static int punkt_slices(PyObject *text, const view *t, const deciders *d, spans *out)
{
    Py_ssize_t n = t->n;
    slicer s = {text, t, d, out, 0};
    if (n >= 2) {
        int have_prev = 0;
        Py_ssize_t prev_pos = 0, prev_start = 0, prev_stop = 0, prev_split = 0, prev_end = 0;
        for (Py_ssize_t p = next_mark(t, 0, n - 1, 0); p + 1 < n;
             p = next_mark(t, p + 1, n - 1, 0)) {
            Py_UCS4 c = at(t, p);
            /* (?=(?P<after_tok>NON_WORD_CHARS|\s+\S+)): the second alternative starts with
             * whitespace, which the first already accepts. */
            Py_UCS4 nx = at(t, p + 1);
            if (!is_non_word_char(nx)) {
                if (nx != '\'' && nx != 0x2019)
                    continue;
                if (p + 2 < n && is_letterish(at(t, p + 2)))
                    continue;
            }
            /* (?!(?<=\.)\s+\.): a period inside a spaced ellipsis is no candidate. */
            if (c == '.') {
                Py_ssize_t j = p + 1;
                while (j < n && is_space(at(t, j)))
                    j++;
                if (j > p + 1 && j < n && at(t, j) == '.')
                    continue;
            }
            Py_ssize_t split = p + 1;
            while (split < n && is_closing(at(t, split)))
                split++;
            Py_ssize_t end = split;
            while (end < n && is_space(at(t, end)))
                end++;
            while (end < n && !is_space(at(t, end)))
                end++;
            Py_ssize_t m = last_ws_end(t, prev_stop, p);
            Py_ssize_t word_start = (m >= 0 && m > prev_stop + 1) ? m : prev_start;
            if (p > 1 && is_space(at(t, p - 1))) {
                Py_ssize_t run_start = p;
                for (;;) {
                    Py_ssize_t i = run_start - 1;
                    while (i >= 0 && is_space(at(t, i)))
                        i--;
                    if (i >= 0 && i < run_start - 1 && at(t, i) == '.')
                        run_start = i;
                    else
                        break;
                }
                if (run_start < p) {
                    Py_ssize_t r = run_start;
                    while (r > prev_stop && is_space(at(t, r - 1)))
                        r--;
                    Py_ssize_t m2 = last_ws_end(t, prev_stop, r);
                    Py_ssize_t run_word = (m2 >= 0 && m2 - prev_stop > 1) ? m2 : prev_start;
                    if (run_word < word_start)
                        word_start = run_word;
                }
            }
            if (have_prev && prev_stop <= word_start &&
                slice_candidate(&s, prev_pos, prev_start, prev_split, prev_end) < 0)
                return -1;
            have_prev = 1;
            prev_pos = p;
            prev_start = word_start;
            prev_stop = p;
            prev_split = split;
            prev_end = end;
        }
        if (have_prev && slice_candidate(&s, prev_pos, prev_start, prev_split, prev_end) < 0)
            return -1;
    }
    Py_ssize_t text_end = n;
    while (text_end > 0 && is_space(at(t, text_end - 1)))
        text_end--;
    if (s.last_break < text_end && spans_push(out, s.last_break, text_end) < 0)
        return -1;
    return 0;
}

/* End of nupunkt's re_boundary_realignment, [\'"\)\]}\u201d\u2019\u00bb*]+?(?:\s+|(?=--)|$)
 * (MULTILINE), matched at text[a:b]; -1 when it does not match. */
static Py_ssize_t realignment_end(const view *t, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t i = a;
    for (;;) {
        if (i < b && is_closing(at(t, i)))
            i++;
        else
            return -1;
        if (i < b && is_space(at(t, i))) {
            while (i < b && is_space(at(t, i)))
                i++;
            return i;
        }
        if (i + 1 < b && at(t, i) == '-' && at(t, i + 1) == '-')
            return i;
        if (i == b || at(t, i) == '\n')
            return i;
    }
}

/* punkt_fast.sent_spans after the slices: realign, then make the spans contiguous. */
static int punkt_spans(PyObject *text, const view *t, const deciders *d, spans *out)
{
    spans slices = {NULL, 0, 0};
    if (punkt_slices(text, t, d, &slices) < 0) {
        spans_free(&slices);
        return -1;
    }
    Py_ssize_t shift = 0, last = slices.size - 1, first = out->size;
    for (Py_ssize_t i = 0; i < slices.size; i++) {
        Py_ssize_t start = slices.v[2 * i] + shift, stop = slices.v[2 * i + 1];
        if (i < last) {
            Py_ssize_t fa = slices.v[2 * i + 2], fb = slices.v[2 * i + 3];
            Py_ssize_t m = realignment_end(t, fa, fb);
            if (m >= 0) {
                if (spans_push(out, start, 0) < 0)
                    goto fail;
                shift = m - fa;
                continue;
            }
            shift = 0;
        }
        if (stop > start && spans_push(out, start, 0) < 0)
            goto fail;
    }
    spans_free(&slices);
    if (out->size == first)
        return spans_push(out, 0, t->n);
    for (Py_ssize_t i = first; i < out->size; i++)
        out->v[2 * i + 1] = i + 1 < out->size ? out->v[2 * i + 2] : t->n;
    return 0;
fail:
    spans_free(&slices);
    return -1;
}

static int get_deciders(PyObject *args, Py_ssize_t first, deciders *d)
{
    d->plain_memo = PyTuple_GET_ITEM(args, first);
    d->breaks_plainly = PyTuple_GET_ITEM(args, first + 1);
    d->decide = PyTuple_GET_ITEM(args, first + 2);
    if (!PyDict_Check(d->plain_memo) || !PyCallable_Check(d->breaks_plainly) ||
        !PyCallable_Check(d->decide)) {
        PyErr_SetString(PyExc_TypeError, "expected (dict, callable, callable) deciders");
        return -1;
    }
    return 0;
}

static PyObject *spans_list(const spans *s)
{
    PyObject *list = PyList_New(s->size);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < s->size; i++) {
        PyObject *p = pair(s->v[2 * i], s->v[2 * i + 1]);
        if (p == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, p);
    }
    return list;
}

static PyObject *py_sent_spans(PyObject *Py_UNUSED(self), PyObject *args)
{
    if (PyTuple_GET_SIZE(args) != 4 || !PyUnicode_Check(PyTuple_GET_ITEM(args, 0))) {
        PyErr_SetString(PyExc_TypeError, "sent_spans(text, plain_memo, breaks_plainly, decide)");
        return NULL;
    }
    PyObject *text = PyTuple_GET_ITEM(args, 0);
    deciders d;
    if (get_deciders(args, 1, &d) < 0 || PyUnicode_READY(text) < 0)
        return NULL;
    view t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), 0};
    if (t.n == 0)
        return PyList_New(0);
    spans out = {NULL, 0, 0};
    PyObject *result = punkt_spans(text, &t, &d, &out) < 0 ? NULL : spans_list(&out);
    spans_free(&out);
    return result;
}

/* ---------------------------------------------------------------- tokens._repair */

static const char *const TITLES[] = {
    "Lt", "Gen", "Col", "Maj", "Capt", "Sgt", "Adm", "Cmdr", "Cpl", "Pvt", "Rep", "Sen", "Gov",
    "Amb", "Prof", "Dr", "Mr", "Mrs", "Ms", "Messrs", "Rev", "Hon", "Supt", "Insp", "St", NULL};

static const char *const NAME_CONTINUATIONS[] = {
    "General", "Security", "Human", "Secretary", "Secretary-General", "Ambassador", "Embassy",
    "Mission", "Charter", "Envoy", "Senate", "Congress", "House", "Army", "Navy", "Treasury",
    "President", "Department", "Government", "Forces", "Troops", "Officials", "Military",
    "Special", "Representative", "Attorney", "Supreme", "Court", "State", "Agency",
    "Intelligence", "Commerce", "Administration", "Marines", "Air", "Coast", "Border", "Customs",
    "Trade", "Chamber", "Commission", "Council", "Parliament", "Capitol", "Constitution",
    "Census", "Postal", "Olympic", "Steel", "Bank", "Dollar", "Sanctions", NULL};

static const char *const STAGE_WORDS[] = {
    "Laughter", "Laughs", "Applause", "Inaudible", "Crosstalk", "Cross-talk", "Pause", "Off-mic",
    NULL};

/* Whether text[a:b] is one of the ASCII words. */
static int in_words(const view *t, Py_ssize_t a, Py_ssize_t b, const char *const *words)
{
    for (; *words; words++) {
        const char *w = *words;
        Py_ssize_t len = (Py_ssize_t)strlen(w);
        if (len != b - a)
            continue;
        Py_ssize_t i = 0;
        while (i < len && at(t, a + i) == (Py_UCS4)(unsigned char)w[i])
            i++;
        if (i == len)
            return 1;
    }
    return 0;
}

/* Whether the ASCII word starts at text[a:b]. */
static int starts_with(const view *t, Py_ssize_t a, Py_ssize_t b, const char *w)
{
    Py_ssize_t len = (Py_ssize_t)strlen(w);
    if (b - a < len)
        return 0;
    for (Py_ssize_t i = 0; i < len; i++)
        if (at(t, a + i) != (Py_UCS4)(unsigned char)w[i])
            return 0;
    return 1;
}

/* tokens._joins: whether sentence text[s:e] continues the one before it, text[ms:pe]
 * (right-stripped), after "vs.", "U.N. General" or a title. */
static int joins(const view *t, Py_ssize_t ms, Py_ssize_t pe, Py_ssize_t s, Py_ssize_t e)
{
    Py_ssize_t len = pe - ms;
    if (len < 1 || at(t, pe - 1) != '.')
        return 0;
    /* The next sentence's first whitespace-delimited word, text[na:nb] (empty when none). */
    Py_ssize_t na = s;
    while (na < e && is_space(at(t, na)))
        na++;
    Py_ssize_t nb = na;
    while (nb < e && !is_space(at(t, nb)))
        nb++;
    int ends_vs = len >= 3 && at(t, pe - 3) == 'v' && at(t, pe - 2) == 's';
    int ends_v = len >= 2 && at(t, pe - 2) == 'v';
    if (ends_vs || ends_v || (len >= 2 && is_ascii_upper(at(t, pe - 2)))) {
        /* _NO_SPLIT_AFTER, (?:\b(?:vs|v)\.|\b[A-Z](?:\.[A-Z])+\.)$: a boundary before "v", or
         * "X.Y." at the end with a boundary before X (inside a longer chain a period precedes
         * every letter, so the last two letters decide). */
        int nosplit = 0;
        Py_ssize_t v = ends_vs ? pe - 3 : pe - 2;
        if ((ends_vs || ends_v) && (v == ms || !is_word(at(t, v - 1))))
            nosplit = 1;
        if (!nosplit && len >= 4 && is_ascii_upper(at(t, pe - 4)) && at(t, pe - 3) == '.' &&
            is_ascii_upper(at(t, pe - 2)) && (pe - 4 == ms || !is_word(at(t, pe - 5))))
            nosplit = 1;
        if (nosplit && (ends_vs || ends_v || (nb > na && in_words(t, na, nb, NAME_CONTINUATIONS))))
            return 1;
    }
    /* _TITLE_BEFORE_NAME on the last eight characters: the ASCII-letter run before the period
     * is a title (a title is at most six letters, so the boundary before it lies inside). */
    Py_ssize_t w = pe - 1;
    while (w > ms && pe - 1 - w < 7 && is_ascii_alpha(at(t, w - 1)))
        w--;
    if (w > ms && is_ascii_alpha(at(t, w - 1)))
        return 0;
    if (w < pe - 1 && (w == ms || !is_word(at(t, w - 1))) && in_words(t, w, pe - 1, TITLES))
        return nb > na && Py_UNICODE_ISUPPER(at(t, na));
    return 0;
}

static const char *const LOWER_ABBREVIATIONS[] = {
    "etc", "approx", "dept", "govt", "corp", "incl", "excl", "cont", "resp", "vols", "assn",
    "univ", "esp", "admin", "prof", "sept", "vol", "fig", "ref", "col", "est", "min", "max", "avg",
    "var", "ibid", "orig", "misc", "seq", "viz", "cca", "ter", NULL};

/* Words after which "a.m."/"p.m." does not end a sentence (_EXTRA_SPLITS' negative lookahead). */
static const char *const TIME_CONTINUATIONS[] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "EST", "EDT",
    "ET", "CET", "GMT", "UTC", "Moscow", "Eastern", "Pacific", "Central", "Mountain", "local",
    "Kyiv", "Kiev", "Washington", NULL};

/* End of _STAGE, \((?:Laughter|...)[^)]{0,20}\), matched at text[p:e], or -1 (no stage word
 * is a prefix of another, so at most one can match). */
static Py_ssize_t stage_end(const view *t, Py_ssize_t p, Py_ssize_t e)
{
    if (p >= e || at(t, p) != '(')
        return -1;
    for (const char *const *w = STAGE_WORDS; *w; w++) {
        if (!starts_with(t, p + 1, e, *w))
            continue;
        Py_ssize_t r = p + 1 + (Py_ssize_t)strlen(*w);
        for (Py_ssize_t i = 0; i <= 20 && r + i < e; i++)
            if (at(t, r + i) == ')')
                return r + i + 1;
        return -1;
    }
    return -1;
}

/* \b just before text[i] (lookbehinds and boundaries see the whole unit). */
static inline int boundary_before(const view *t, Py_ssize_t i)
{
    return i == 0 || !is_word(at(t, i - 1));
}

/* Whether an _EXTRA_SPLITS alternative matches at c in the sentence scan finditer(unit, s, e). */
static int extra_split_at(const view *t, Py_ssize_t c, Py_ssize_t e)
{
    Py_ssize_t j = c;
    while (j < e && is_space(at(t, j)))
        j++;
    Py_UCS4 b1 = c >= 1 ? at(t, c - 1) : 0;
    if (b1 == '.' && j > c && j < e && is_ascii_upper(at(t, j))) {
        /* (?<=\bNo\.)(?=\s+[A-Z][a-z]) */
        if (c >= 3 && at(t, c - 3) == 'N' && at(t, c - 2) == 'o' && boundary_before(t, c - 3) &&
            j + 1 < e && is_ascii_lower(at(t, j + 1)))
            return 1;
        /* (?<=\b[ap]\.m\.)(?=\s+(?!(?:Monday|...)\b)[A-Z]) */
        if (c >= 4 && at(t, c - 2) == 'm' && at(t, c - 3) == '.' &&
            (at(t, c - 4) == 'a' || at(t, c - 4) == 'p') && boundary_before(t, c - 4)) {
            int excluded = 0;
            for (const char *const *w = TIME_CONTINUATIONS; *w && !excluded; w++) {
                Py_ssize_t end = j + (Py_ssize_t)strlen(*w);
                excluded = starts_with(t, j, e, *w) && (end == e || !is_word(at(t, end)));
            }
            if (!excluded)
                return 1;
        }
    }
    /* (?<=[.!?])(?=\s*STAGE) and (?<=[.!?]["\u201d])(?=\s*STAGE) */
    int after_end = b1 == '.' || b1 == '!' || b1 == '?';
    if (!after_end && c >= 2 && (b1 == '"' || b1 == 0x201d)) {
        Py_UCS4 b2 = at(t, c - 2);
        after_end = b2 == '.' || b2 == '!' || b2 == '?';
    }
    return after_end && stage_end(t, j, e) >= 0;
}

/* Append (k, cut) for the cuts of _EXTRA_SPLITS and _STAGE_BEFORE_SENTENCE inside the sentence
 * k, text[s:e], scanned on its own (lookaheads stop at e). */
static int rare_cuts(const view *t, Py_ssize_t k, Py_ssize_t s, Py_ssize_t e, spans *cuts)
{
    for (Py_ssize_t c = s + 1; c < e; c++)
        if (extra_split_at(t, c, e) && spans_push(cuts, k, c) < 0)
            return -1;
    /* STAGE(?=\s+[A-Z]) by finditer: after a match the scan resumes at its end. */
    for (Py_ssize_t p = s; p < e;) {
        Py_ssize_t q = stage_end(t, p, e);
        if (q < 0) {
            p++;
            continue;
        }
        Py_ssize_t j = q;
        while (j < e && is_space(at(t, j)))
            j++;
        if (j > q && j < e && is_ascii_upper(at(t, j))) {
            if (spans_push(cuts, k, q) < 0)
                return -1;
            p = q;
        } else {
            p++;
        }
    }
    return 0;
}

/* bisect_right(starts, p) - 1 from a running index k (p never decreases between calls). */
static Py_ssize_t sentence_of(const spans *merged, Py_ssize_t *k, Py_ssize_t p)
{
    while (*k + 1 < merged->size && merged->v[2 * (*k + 1)] <= p)
        (*k)++;
    return merged->v[2 * *k] > p ? merged->size - 1 : *k; /* -1 indexes the last, as in Python */
}

static int cmp_pairs(const void *a, const void *b)
{
    const Py_ssize_t *x = a, *y = b;
    if (x[0] != y[0])
        return (x[0] > y[0]) - (x[0] < y[0]);
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* tokens._repair after the merge: the cuts of _lowercase_word_ends, and in each sentence that
 * holds a _RARE_REPAIR match ("No.", "a.m.", "p.m.", "(" and a stage word) those of
 * _EXTRA_SPLITS and _STAGE_BEFORE_SENTENCE; the sentences cut there are appended to out. */
static int repair_cuts(const view *t, const spans *merged, spans *out)
{
    Py_ssize_t n = t->n, k = 0, k_rare = 0;
    spans cuts = {NULL, 0, 0}; /* (sentence, cut) */
    unsigned char *rare = NULL;
    for (Py_ssize_t p = next_mark(t, 0, n, 1); p < n; p = next_mark(t, p + 1, n, 1)) {
        Py_UCS4 c = at(t, p);
        int rare_here = 0;
        if (c == '(') {
            for (const char *const *w = STAGE_WORDS; *w && !rare_here; w++)
                rare_here = starts_with(t, p + 1, n, *w);
        } else if (c == '.') {
            rare_here = (p >= 2 && at(t, p - 2) == 'N' && at(t, p - 1) == 'o') ||
                        (p >= 3 && at(t, p - 1) == 'm' && at(t, p - 2) == '.' &&
                         (at(t, p - 3) == 'a' || at(t, p - 3) == 'p'));
        }
        if (rare_here) {
            if (rare == NULL && (rare = PyMem_Calloc((size_t)merged->size, 1)) == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            rare[sentence_of(merged, &k_rare, p)] = 1;
        }
        /* _LOWER_END_PERIOD, \.(?<=[a-z]{3}\.)(?=(\s+[\u201c"]?[A-Z])), then _LOWER_WORD_END
         * at the start of the lowercase run: a whole word (\b), inside the sentence, with the
         * lookahead read inside it too, and no abbreviation. */
        if (c != '.' || p < 3 || !is_ascii_lower(at(t, p - 1)) || !is_ascii_lower(at(t, p - 2)) ||
            !is_ascii_lower(at(t, p - 3)))
            continue;
        Py_ssize_t j = p + 1;
        while (j < n && is_space(at(t, j)))
            j++;
        if (j == p + 1 || j >= n)
            continue;
        if (at(t, j) == 0x201c || at(t, j) == '"')
            j++;
        if (j >= n || !is_ascii_upper(at(t, j)))
            continue;
        Py_ssize_t s_k = sentence_of(merged, &k, p);
        if (j + 1 > merged->v[2 * s_k + 1])
            continue;
        Py_ssize_t w = p - 3;
        while (w > 0 && is_ascii_lower(at(t, w - 1)))
            w--;
        if (!boundary_before(t, w) || w < merged->v[2 * s_k] ||
            in_words(t, w, p, LOWER_ABBREVIATIONS))
            continue;
        if (spans_push(&cuts, s_k, p + 1) < 0)
            goto fail;
    }
    for (Py_ssize_t i = 0; rare != NULL && i < merged->size; i++)
        if (rare[i] && rare_cuts(t, i, merged->v[2 * i], merged->v[2 * i + 1], &cuts) < 0)
            goto fail;
    if (cuts.size > 1) /* cuts.v is NULL when there are none: qsort must not see it */
        qsort(cuts.v, (size_t)cuts.size, 2 * sizeof(Py_ssize_t), cmp_pairs);
    Py_ssize_t c = 0;
    for (Py_ssize_t i = 0; i < merged->size; i++) {
        Py_ssize_t from = merged->v[2 * i], e = merged->v[2 * i + 1];
        for (; c < cuts.size && cuts.v[2 * c] == i; c++) {
            Py_ssize_t cut = cuts.v[2 * c + 1];
            if (cut <= from || cut >= e)
                continue;
            if (spans_push(out, from, cut) < 0)
                goto fail;
            from = cut;
        }
        if (spans_push(out, from, e) < 0)
            goto fail;
    }
    PyMem_Free(rare);
    spans_free(&cuts);
    return 0;
fail:
    PyMem_Free(rare);
    spans_free(&cuts);
    return -1;
}

static int merge(const view *t, const spans *in, spans *merged)
{
    for (Py_ssize_t i = 0; i < in->size; i++) {
        Py_ssize_t s = in->v[2 * i], e = in->v[2 * i + 1];
        if (merged->size) {
            Py_ssize_t ms = merged->v[2 * (merged->size - 1)];
            Py_ssize_t pe = merged->v[2 * (merged->size - 1) + 1];
            while (pe > ms && is_space(at(t, pe - 1)))
                pe--;
            if (joins(t, ms, pe, s, e)) {
                merged->v[2 * (merged->size - 1) + 1] = e;
                continue;
            }
        }
        if (spans_push(merged, s, e) < 0)
            return -1;
    }
    return 0;
}

/* tokens._PUNKT_CANDIDATE: a unit without one is a single Punkt span. */
static int punkt_candidate(const view *t)
{
    for (Py_ssize_t p = next_mark(t, 0, t->n - 1, 0); p + 1 < t->n;
         p = next_mark(t, p + 1, t->n - 1, 0)) {
        Py_UCS4 c = at(t, p + 1);
        if (is_space(c) || c == '\'' || c == 0x2019 || is_non_word_char(c))
            return 1;
    }
    return 0;
}

/* Trimmed, non-empty spans as a tuple of (start, end) pairs. */
static PyObject *trimmed(const view *t, const Py_ssize_t *v, Py_ssize_t size)
{
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_ssize_t a = v[2 * i], b = v[2 * i + 1];
        while (a < b && is_space(at(t, a)))
            a++;
        while (b > a && is_space(at(t, b - 1)))
            b--;
        if (a == b)
            continue;
        PyObject *p = pair(a, b);
        if (p == NULL || PyList_Append(list, p) < 0) {
            Py_XDECREF(p);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(p);
    }
    PyObject *tuple = PyList_AsTuple(list);
    Py_DECREF(list);
    if (tuple != NULL) /* a tuple of untracked pairs can form no cycle either */
        PyObject_GC_UnTrack(tuple);
    return tuple;
}

/* tokens._unit_sentences(unit): Punkt, then tokens._repair's merges and cuts, trimmed. */
static PyObject *unit_sentences(PyObject *unit, const deciders *d)
{
    view t = {PyUnicode_KIND(unit), PyUnicode_DATA(unit), PyUnicode_GET_LENGTH(unit), 0};
    Py_ssize_t i = 0;
    while (i < t.n && is_space(at(&t, i)))
        i++;
    if (i == t.n)
        return PyTuple_New(0);
    spans punkt = {NULL, 0, 0}, merged = {NULL, 0, 0}, cut = {NULL, 0, 0};
    PyObject *result = NULL;
    if (!punkt_candidate(&t)) {
        if (spans_push(&punkt, 0, t.n) < 0)
            goto done;
    } else {
        view pt = t;
        pt.nl_space = 1;
        if (punkt_spans(unit, &pt, d, &punkt) < 0)
            goto done;
    }
    if (merge(&t, &punkt, &merged) < 0)
        goto done;
    if (repair_cuts(&t, &merged, &cut) < 0)
        goto done;
    result = trimmed(&t, cut.v, cut.size);
done:
    spans_free(&punkt);
    spans_free(&merged);
    spans_free(&cut);
    return result;
}

static PyObject *py_unit_sentences(PyObject *Py_UNUSED(self), PyObject *args)
{
    if (PyTuple_GET_SIZE(args) != 4 || !PyUnicode_Check(PyTuple_GET_ITEM(args, 0))) {
        PyErr_SetString(PyExc_TypeError,
                        "unit_sentences(unit, plain_memo, breaks_plainly, decide)");
        return NULL;
    }
    PyObject *unit = PyTuple_GET_ITEM(args, 0);
    deciders d;
    if (get_deciders(args, 1, &d) < 0 || PyUnicode_READY(unit) < 0)
        return NULL;
    return unit_sentences(unit, &d);
}

/* ---------------------------------------------------------------- layout (tokens.py) */

typedef struct {
    deciders d;
    PyObject *hard_line;    /* tokens._HARD_LINE_START.match */
    PyObject *open_endings; /* tokens._OPEN_ENDINGS */
    PyObject *units;        /* unit memo dict, or NULL */
    PyObject *paragraphs;   /* paragraph memo dict, or NULL */
} splitter;

/* _HARD_LINE_START.match(text, a, b) is not None. Every alternative after \s* starts with one
 * of - * \u2022 \u2013 \ # a decimal digit or A-Z, and those after a capital other than "Q"
 * need a colon on the line, so most lines are settled without the regex. */
static int hard_line_start(const splitter *sp, PyObject *text, const view *t, Py_ssize_t a,
                           Py_ssize_t b)
{
    Py_ssize_t f = a;
    while (f < b && is_space(at(t, f)))
        f++;
    if (f == b)
        return 0;
    Py_UCS4 c = at(t, f);
    if (is_ascii_upper(c) && c != 'Q') {
        Py_ssize_t k = f + 1;
        while (k < b && at(t, k) != ':')
            k++;
        if (k == b)
            return 0;
    } else if (!(is_ascii_upper(c) || c == '-' || c == '*' || c == 0x2022 || c == 0x2013 ||
                 c == '\\' || c == '#' || Py_UNICODE_ISDECIMAL(c))) {
        return 0;
    }
    PyObject *m = PyObject_CallFunction(sp->hard_line, "Onn", text, a, b);
    if (m == NULL)
        return -1;
    int found = m != Py_None;
    Py_DECREF(m);
    return found;
}

/* tokens._continues: the line text[a:b] continues the unit text[pa:pb] (no final punctuation
 * there, and the line starts in lowercase or the unit ends with an open word such as "the"). */
static int continues(const splitter *sp, PyObject *text, const view *t, Py_ssize_t pa,
                     Py_ssize_t pb, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t pe = pb;
    while (pe > pa && is_space(at(t, pe - 1)))
        pe--;
    if (pe == pa)
        return 0;
    switch (at(t, pe - 1)) { /* _TERMINAL_END */
    case '.': case '!': case '?': case ':': case ';': case '"': case 0x201d: case 0x2019:
    case ')': case ']': case '*':
        return 0;
    default:
        break;
    }
    Py_ssize_t la = a;
    while (la < b && is_space(at(t, la)))
        la++;
    if (la == b)
        return 0;
    if (Py_UNICODE_ISLOWER(at(t, la)))
        return 1;
    Py_ssize_t ws = pe;
    while (ws > pa && !is_space(at(t, ws - 1)))
        ws--;
    PyObject *word = PyUnicode_Substring(text, ws, pe);
    if (word == NULL)
        return -1;
    PyObject *lower = PyObject_CallMethod(word, "lower", NULL);
    Py_DECREF(word);
    if (lower == NULL)
        return -1;
    int found = PySequence_Contains(sp->open_endings, lower);
    Py_DECREF(lower);
    return found;
}

/* tokens._is_wrapped over the lines (start, stop pairs) of a paragraph. */
static int is_wrapped(const view *t, const spans *lines)
{
    Py_ssize_t count = lines->size, inside = 0;
    if (count < 2)
        return 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t a = lines->v[2 * i], b = lines->v[2 * i + 1];
        while (b > a && is_space(at(t, b - 1)))
            b--;
        if (b - a > 100) /* _WRAP_MAX */
            return 0;
        if (i < count - 1 && b - a >= 40) /* _WRAP_MIN */
            inside++;
    }
    /* inside >= 0.75 * (count - 1), exactly, in integers */
    return inside == count - 1 || (count > 3 && 4 * inside >= 3 * (count - 1));
}

/* tokens._paragraph_units over a whole paragraph that holds a newline. */
static int paragraph_units(const splitter *sp, PyObject *text, const view *t, spans *units)
{
    spans lines = {NULL, 0, 0};
    Py_ssize_t pos = 0;
    for (Py_ssize_t i = 0; i <= t->n; i++)
        if (i == t->n || at(t, i) == '\n') {
            if (spans_push(&lines, pos, i) < 0)
                goto fail;
            pos = i + 1;
        }
    int wrapped = is_wrapped(t, &lines);
    for (Py_ssize_t i = 0; i < lines.size; i++) {
        Py_ssize_t a = lines.v[2 * i], b = lines.v[2 * i + 1];
        if (units->size) {
            Py_ssize_t *last = units->v + 2 * (units->size - 1);
            int soft = wrapped ? 1 : continues(sp, text, t, last[0], last[1], a, b);
            if (soft > 0) {
                int hard = hard_line_start(sp, text, t, a, b);
                soft = hard < 0 ? -1 : !hard;
            }
            if (soft < 0)
                goto fail;
            if (soft) {
                last[1] = b;
                continue;
            }
        }
        if (spans_push(units, a, b) < 0)
            goto fail;
    }
    spans_free(&lines);
    return 0;
fail:
    spans_free(&lines);
    return -1;
}

/* A memo's entry for key, computed by tokens' rules on a miss and stored: new reference. */
static PyObject *unit_entry(const splitter *sp, PyObject *unit)
{
    if (sp->units != NULL) {
        PyObject *found = PyDict_GetItemWithError(sp->units, unit);
        if (found != NULL) {
            Py_INCREF(found);
            return found;
        }
        if (PyErr_Occurred())
            return NULL;
    }
    PyObject *found = unit_sentences(unit, &sp->d);
    if (found != NULL && sp->units != NULL && PyDict_SetItem(sp->units, unit, found) < 0)
        Py_CLEAR(found);
    return found;
}

/* tokens._paragraph_layout_sentences: new reference to a tuple of pairs. */
static PyObject *layout_sentences(const splitter *sp, PyObject *paragraph)
{
    view t = {PyUnicode_KIND(paragraph), PyUnicode_DATA(paragraph),
              PyUnicode_GET_LENGTH(paragraph), 0};
    if (PyUnicode_FindChar(paragraph, '\n', 0, t.n, 1) == -1)
        return unit_sentences(paragraph, &sp->d);
    spans units = {NULL, 0, 0};
    PyObject *out = NULL, *result = NULL;
    if (paragraph_units(sp, paragraph, &t, &units) < 0 || (out = PyList_New(0)) == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < units.size; i++) {
        Py_ssize_t a = units.v[2 * i];
        PyObject *unit = PyUnicode_Substring(paragraph, a, units.v[2 * i + 1]);
        if (unit == NULL)
            goto done;
        PyObject *found = unit_entry(sp, unit);
        Py_DECREF(unit);
        if (found == NULL)
            goto done;
        if (!PyTuple_Check(found)) {
            PyErr_SetString(PyExc_TypeError, "sentence memo holds a non-tuple");
            Py_DECREF(found);
            goto done;
        }
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(found); k++) {
            PyObject *p = shifted_pair(PyTuple_GET_ITEM(found, k), a);
            if (p == NULL || PyList_Append(out, p) < 0) {
                Py_XDECREF(p);
                Py_DECREF(found);
                goto done;
            }
            Py_DECREF(p);
        }
        Py_DECREF(found);
    }
    result = PyList_AsTuple(out);
    if (result != NULL)
        PyObject_GC_UnTrack(result);
done:
    Py_XDECREF(out);
    spans_free(&units);
    return result;
}

/* tokens._paragraph_sentences: new reference to a tuple of pairs. */
static PyObject *paragraph_sentences(const splitter *sp, PyObject *paragraph)
{
    if (sp->units == NULL)
        return layout_sentences(sp, paragraph);
    PyObject *table = PyUnicode_FindChar(paragraph, '\n', 0, PyUnicode_GET_LENGTH(paragraph),
                                         1) == -1 ? sp->units : sp->paragraphs;
    PyObject *found = PyDict_GetItemWithError(table, paragraph);
    if (found != NULL) {
        Py_INCREF(found);
        return found;
    }
    if (PyErr_Occurred())
        return NULL;
    found = layout_sentences(sp, paragraph);
    if (found != NULL && PyDict_SetItem(table, paragraph, found) < 0)
        Py_CLEAR(found);
    return found;
}

/* Append the paragraph text[a:b]'s sentences, shifted to text offsets, to out. */
static int add_paragraph(const splitter *sp, PyObject *text, Py_ssize_t a, Py_ssize_t b,
                         PyObject *out)
{
    PyObject *paragraph = PyUnicode_Substring(text, a, b);
    if (paragraph == NULL)
        return -1;
    PyObject *found = paragraph_sentences(sp, paragraph);
    Py_DECREF(paragraph);
    if (found == NULL)
        return -1;
    if (!PyTuple_Check(found)) {
        PyErr_SetString(PyExc_TypeError, "sentence memo holds a non-tuple");
        Py_DECREF(found);
        return -1;
    }
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(found); k++) {
        PyObject *p = shifted_pair(PyTuple_GET_ITEM(found, k), a);
        if (p == NULL || PyList_Append(out, p) < 0) {
            Py_XDECREF(p);
            Py_DECREF(found);
            return -1;
        }
        Py_DECREF(p);
    }
    Py_DECREF(found);
    return 0;
}

/* tokens.split_sentences(text, start, end) for 0 <= start <= end <= len(text). */
static PyObject *py_split_sentences(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *text, *units, *paragraphs, *deciders_tuple;
    Py_ssize_t start, end;
    splitter sp;
    if (!PyArg_ParseTuple(args, "UnnOOO!OO:split_sentences", &text, &start, &end, &units,
                          &paragraphs, &PyTuple_Type, &deciders_tuple, &sp.hard_line,
                          &sp.open_endings))
        return NULL;
    if (PyUnicode_READY(text) < 0)
        return NULL;
    if (start < 0 || end < start || end > PyUnicode_GET_LENGTH(text)) {
        PyErr_SetString(PyExc_ValueError, "need 0 <= start <= end <= len(text)");
        return NULL;
    }
    if (PyTuple_GET_SIZE(deciders_tuple) != 3 || get_deciders(deciders_tuple, 0, &sp.d) < 0)
        return NULL;
    if (units == Py_None || paragraphs == Py_None) {
        sp.units = sp.paragraphs = NULL;
    } else if (PyDict_Check(units) && PyDict_Check(paragraphs)) {
        sp.units = units;
        sp.paragraphs = paragraphs;
    } else {
        PyErr_SetString(PyExc_TypeError, "memo tables must be dicts or None");
        return NULL;
    }
    view t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), 0};
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    /* Paragraphs end at _PARAGRAPH_RE, \n[ \t]*\n, scanned like finditer(text, start, end). */
    Py_ssize_t para_start = start, i = start;
    while (i < end) {
        i = PyUnicode_FindChar(text, '\n', i, end, 1);
        if (i == -2)
            goto fail;
        if (i < 0)
            break;
        Py_ssize_t j = i + 1;
        while (j < end && (at(&t, j) == ' ' || at(&t, j) == '\t'))
            j++;
        if (j < end && at(&t, j) == '\n') {
            if (add_paragraph(&sp, text, para_start, i, out) < 0)
                goto fail;
            para_start = i = j + 1;
        } else {
            i++;
        }
    }
    if (add_paragraph(&sp, text, para_start, end, out) < 0)
        goto fail;
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* [text[s:e] for s, e in spans]: the sentence texts of sentences_table. */
static PyObject *py_sentence_texts(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *text, *spans_arg, *item;
    if (!PyArg_ParseTuple(args, "UO:sentence_texts", &text, &spans_arg))
        return NULL;
    /* An iterator, as the comprehension uses, and an owned reference to each pair: parsing a
     * pair may run Python code (__index__) that changes the caller's list, so neither its size
     * nor its items may be borrowed (a list cleared midway ends the loop, as in Python). */
    PyObject *it = PyObject_GetIter(spans_arg);
    if (it == NULL)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        goto fail;
    while ((item = PyIter_Next(it)) != NULL) {
        Py_ssize_t a, b;
        int ok = PyArg_ParseTuple(item, "nn", &a, &b);
        Py_DECREF(item);
        if (!ok)
            goto fail;
        /* Offsets outside the text (a caller's odd span) get Python's slice semantics. */
        PyObject *piece = 0 <= a && a <= b && b <= n ? PyUnicode_Substring(text, a, b)
                                                     : PySequence_GetSlice(text, a, b);
        if (piece == NULL || PyList_Append(out, piece) < 0) {
            Py_XDECREF(piece);
            goto fail;
        }
        Py_DECREF(piece);
    }
    if (PyErr_Occurred())
        goto fail;
    Py_DECREF(it);
    return out;
fail:
    Py_DECREF(it);
    Py_XDECREF(out);
    return NULL;
}

/* ---------------------------------------------------------------- module */

static PyMethodDef methods[] = {
    {"sent_spans", py_sent_spans, METH_VARARGS,
     "sent_spans(text, plain_memo, breaks_plainly, decide): punkt_fast.sent_spans's spans."},
    {"unit_sentences", py_unit_sentences, METH_VARARGS,
     "unit_sentences(unit, plain_memo, breaks_plainly, decide): tokens._unit_sentences."},
    {"split_sentences", py_split_sentences, METH_VARARGS,
     "split_sentences(text, start, end, units, paragraphs, deciders, hard_line, open_endings): "
     "tokens.split_sentences."},
    {"sentence_texts", py_sentence_texts, METH_VARARGS,
     "sentence_texts(text, spans): [text[s:e] for s, e in spans]."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "sentsplit",
                                    "Compiled twin of the sentence splitter's hot loops.", -1,
                                    methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_sentsplit(void)
{
    mark_table['.'] = mark_table['?'] = mark_table['!'] = 1;
    mark_table['('] = 2;
    if (newline_str == NULL && (newline_str = PyUnicode_FromString("\n")) == NULL)
        return NULL;
    if (space_str == NULL && (space_str = PyUnicode_FromString(" ")) == NULL)
        return NULL;
    return PyModule_Create(&module);
}
