/* attrscan: compiled twins of the hot loops of attribution and voices (analysis/attribution.py,
 * analysis/voices.py), which the pure-Python code there runs when this module is not built.
 *
 * - cue_starts(forms, text, quote_starts, quote_ends, lower) is the twin of the list
 *   comprehension in attribution._cue_starts: the regex of attribution._forms_pattern tried at
 *   every non-word character of " " + lowered text, keeping the offsets outside quotations. The
 *   regex engine tries a trie of some 500 forms at each of ~450k candidate offsets of a 2 MB
 *   corpus; here most offsets are ruled out by their first two or three characters and the rest
 *   walk a trie of the first words. It can read the text lowercased itself (str.lower of each
 *   character, which is what text.lower() gives unless a capital sigma is present).
 * - find_quotes(text) is the twin of the event loop of attribution.find_quotes: quotation spans
 *   and the offsets of ignored marks (Python logs them).
 * - sentences_to_search(text, sentences, starts) is the twin of
 *   attribution._sentences_to_search, which looks at every sentence of every document.
 * - tokenize_spans(text, spans, starts) is the twin of tokens.tokenize (and of
 *   attribution._tokens_at) for each sentence attribution searches, a quarter of the text,
 *   whose regex split and Python tuples cost more than the rest of the search.
 * - source_before(...) is the twin of attribution._source_before (with _clause_chunks and
 *   _is_name), the noun phrase before a cue, looked for at nearly every cue.
 * - flatten(n, base, layers) is the twin of voices._flatten, the segments of a document.
 * - label_starts(text) is the twin of voices._label_starts, the offsets where a speaker label
 *   can begin (the regex search behind it reads most of a transcript's characters).
 *
 * The pure-Python code stays the reference (tests/test_native_attrscan.py asserts identical
 * results). Character classes are those of the re module for str patterns: \w is
 * Py_UNICODE_ISALNUM or "_", \s is Py_UNICODE_ISSPACE. Text is read with PyUnicode_READ, so
 * any kind of string (including non-BMP characters) is handled; nothing is written into fixed
 * buffers sized by the input. Python code can run inside a call (__index__, __hash__ and __eq__
 * of the caller's objects, finalizers at any allocation), so the caller's lists are read from
 * private copies (list_items), never from borrowed items.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "growable.h"
#include "private_copy.h"

#define APOSTROPHE 0x2019

/* ---- cue forms ------------------------------------------------------------------------------ */

typedef struct {
    Py_UCS4 *stem;      /* the word without a final "*" */
    Py_ssize_t len;
    int wildcard;       /* the lexicon word ended with "*": a token prefix */
} Word;

typedef struct {
    Word *words;
    Py_ssize_t nwords;
} Form;

#define TRIPLE_BITS 32768

static inline unsigned int
triple_hash(Py_UCS4 a, Py_UCS4 b, Py_UCS4 c)
{
    return ((a * 31u + b) * 31u + c) % TRIPLE_BITS;
}

/* A trie of the first words' stems, apostrophes folded to "'" (in the lexicon and the text):
 * walking it from an offset lists the forms whose first stem may start there, and only those
 * are matched in full. Node 0 is the root; children are a sibling chain, except the root's
 * ASCII children, which are also indexed directly. */
typedef struct {
    Py_UCS4 ch;
    Py_ssize_t child, sibling;      /* -1 for none */
    Py_ssize_t fstart, fcount;      /* forms whose first stem ends here: form_index[fstart:] */
} Node;

typedef struct {
    Form *forms;
    Py_ssize_t nforms;
    Node *nodes;
    Py_ssize_t nnodes;
    Py_ssize_t *form_index;
    Py_ssize_t root_ascii[128];     /* root child per ASCII character, -1 for none */
    /* Most word starts are ruled out by their first two or three characters without a walk:
     * pair[a][b] is 0 when no first stem starts with ASCII a then b, 2 when a stem is "a" or "ab"
     * (walk), else 1: then triple holds the hashes of the stems' first three characters. */
    unsigned char pair[128][128];
    unsigned char triple[TRIPLE_BITS / 8];
} Forms;

#define CAPSULE_NAME "analysis._native.attrscan.Forms"

static void
forms_free(Forms *fs)
{
    if (fs == NULL)
        return;
    if (fs->forms != NULL) {
        for (Py_ssize_t f = 0; f < fs->nforms; f++) {
            Form *form = &fs->forms[f];
            if (form->words != NULL) {
                for (Py_ssize_t k = 0; k < form->nwords; k++)
                    PyMem_Free(form->words[k].stem);
                PyMem_Free(form->words);
            }
        }
        PyMem_Free(fs->forms);
    }
    PyMem_Free(fs->nodes);
    PyMem_Free(fs->form_index);
    PyMem_Free(fs);
}

static void
capsule_destructor(PyObject *capsule)
{
    forms_free((Forms *)PyCapsule_GetPointer(capsule, CAPSULE_NAME));
}

static inline Py_UCS4
fold_apostrophe(Py_UCS4 ch)
{
    return ch == 0x2019 ? '\'' : ch;
}

/* The child of node with character ch, or -1. */
static inline Py_ssize_t
trie_child(const Forms *fs, Py_ssize_t node, Py_UCS4 ch)
{
    if (node == 0 && ch < 128)
        return fs->root_ascii[ch];
    for (Py_ssize_t c = fs->nodes[node].child; c >= 0; c = fs->nodes[c].sibling)
        if (fs->nodes[c].ch == ch)
            return c;
    return -1;
}

/* Put every form's first stem into the trie; node_of[f] is where form f's stem ends. */
static int
build_trie(Forms *fs, Py_ssize_t *node_of)
{
    Py_ssize_t capacity = 1;
    for (Py_ssize_t f = 0; f < fs->nforms; f++)
        if (fs->forms[f].nwords > 0)
            capacity += fs->forms[f].words[0].len;
    fs->nodes = PyMem_Calloc((size_t)capacity, sizeof(Node));
    if (fs->nodes == NULL)
        return -1;
    for (int c = 0; c < 128; c++)
        fs->root_ascii[c] = -1;
    fs->nodes[0].child = fs->nodes[0].sibling = -1;
    fs->nnodes = 1;
    for (Py_ssize_t f = 0; f < fs->nforms; f++) {
        Py_ssize_t node = 0;
        if (fs->forms[f].nwords > 0) {
            const Word *w = &fs->forms[f].words[0];
            for (Py_ssize_t c = 0; c < w->len; c++) {
                Py_UCS4 ch = fold_apostrophe(w->stem[c]);
                Py_ssize_t next = trie_child(fs, node, ch);
                if (next < 0) {   /* capacity counts every stem character, so this fits */
                    next = fs->nnodes++;
                    Node *added = &fs->nodes[next];
                    added->ch = ch;
                    added->child = -1;
                    added->sibling = fs->nodes[node].child;
                    fs->nodes[node].child = next;
                    if (node == 0 && ch < 128)
                        fs->root_ascii[ch] = next;
                }
                node = next;
            }
        }
        node_of[f] = node;
        fs->nodes[node].fcount++;
    }
    for (Py_ssize_t f = 0; f < fs->nforms; f++) {
        if (fs->forms[f].nwords == 0 || fs->forms[f].words[0].len == 0)
            continue;   /* a guard: compile_forms admits neither */
        const Word *w = &fs->forms[f].words[0];
        Py_UCS4 a = fold_apostrophe(w->stem[0]);
        if (a >= 128)
            continue;   /* non-ASCII first characters are always walked */
        if (w->len == 1) {
            memset(fs->pair[a], 2, sizeof(fs->pair[a]));
            continue;
        }
        Py_UCS4 b = fold_apostrophe(w->stem[1]);
        if (b >= 128)
            continue;   /* a non-ASCII second character is always walked */
        if (w->len == 2) {
            fs->pair[a][b] = 2;
            continue;
        }
        if (fs->pair[a][b] == 0)
            fs->pair[a][b] = 1;
        unsigned int h = triple_hash(a, b, fold_apostrophe(w->stem[2]));
        fs->triple[h / 8] |= (unsigned char)(1u << (h % 8));
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t k = 0; k < fs->nnodes; k++) {
        fs->nodes[k].fstart = at;
        at += fs->nodes[k].fcount;
        fs->nodes[k].fcount = 0;
    }
    for (Py_ssize_t f = 0; f < fs->nforms; f++) {
        Node *node = &fs->nodes[node_of[f]];
        fs->form_index[node->fstart + node->fcount++] = f;
    }
    return 0;
}

/* Forms must have words, no stem may be empty, and no word after the first may start with a
 * blank: match_words skips the blanks between words greedily where the regex of
 * attribution._form_atoms backtracks into them (and a zero-word form or an empty first stem
 * would match past the forms' ends, even at the end of the text). The lexicon never makes such
 * forms; attribution._native_form tells which ones the regex is left to. */
static PyObject *
compile_forms(PyObject *Py_UNUSED(module), PyObject *arg)
{
    PyObject *seq = private_tuple(arg);
    if (seq == NULL)
        return NULL;
    Py_ssize_t nforms = PyTuple_GET_SIZE(seq);
    Forms *fs = PyMem_Calloc(1, sizeof(Forms));
    if (fs == NULL) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    fs->forms = PyMem_Calloc(nforms > 0 ? (size_t)nforms : 1, sizeof(Form));
    fs->form_index = PyMem_Calloc(nforms > 0 ? (size_t)nforms : 1, sizeof(Py_ssize_t));
    if (fs->forms == NULL || fs->form_index == NULL)
        goto nomemory;
    fs->nforms = nforms;
    for (Py_ssize_t f = 0; f < nforms; f++) {
        PyObject *words = private_tuple(PyTuple_GET_ITEM(seq, f));
        if (words == NULL)
            goto error;
        Py_ssize_t nwords = PyTuple_GET_SIZE(words);
        if (nwords == 0) {
            Py_DECREF(words);
            PyErr_SetString(PyExc_ValueError, "a form needs at least one word");
            goto error;
        }
        Form *form = &fs->forms[f];
        form->words = PyMem_Calloc(nwords > 0 ? (size_t)nwords : 1, sizeof(Word));
        if (form->words == NULL) {
            Py_DECREF(words);
            goto nomemory;
        }
        form->nwords = nwords;
        for (Py_ssize_t k = 0; k < nwords; k++) {
            PyObject *word = PyTuple_GET_ITEM(words, k);
            if (!PyUnicode_Check(word)) {
                Py_DECREF(words);
                PyErr_SetString(PyExc_TypeError, "form words must be str");
                goto error;
            }
            Py_ssize_t len = PyUnicode_GET_LENGTH(word);
            int kind = PyUnicode_KIND(word);
            const void *data = PyUnicode_DATA(word);
            Word *w = &form->words[k];
            w->wildcard = len > 0 && PyUnicode_READ(kind, data, len - 1) == '*';
            w->len = w->wildcard ? len - 1 : len;
            if (w->len == 0 || (k > 0 && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, 0)))) {
                Py_DECREF(words);
                PyErr_SetString(PyExc_ValueError, "form words must not be empty (but for a "
                                "final \"*\") nor start with a blank after the first word");
                goto error;
            }
            w->stem = PyMem_Calloc(w->len > 0 ? (size_t)w->len : 1, sizeof(Py_UCS4));
            if (w->stem == NULL) {
                Py_DECREF(words);
                goto nomemory;
            }
            for (Py_ssize_t c = 0; c < w->len; c++)
                w->stem[c] = PyUnicode_READ(kind, data, c);
        }
        Py_DECREF(words);
    }
    Py_ssize_t *node_of = PyMem_Calloc(nforms > 0 ? (size_t)nforms : 1, sizeof(Py_ssize_t));
    if (node_of == NULL)
        goto nomemory;
    int built = build_trie(fs, node_of);
    PyMem_Free(node_of);
    if (built < 0)
        goto nomemory;
    Py_DECREF(seq);
    PyObject *capsule = PyCapsule_New(fs, CAPSULE_NAME, capsule_destructor);
    if (capsule == NULL)
        forms_free(fs);
    return capsule;

nomemory:
    PyErr_NoMemory();
error:
    Py_DECREF(seq);
    forms_free(fs);
    return NULL;
}

/* ---- matching -------------------------------------------------------------------------------- */

/* Characters already lowercased by str.lower for this text: lowering depends on nothing but
 * the character once the capital sigma (lowercased by context) is ruled out. */
#define LOWER_SLOTS 512
typedef struct {
    Py_UCS4 key, value;
    int state;              /* 0 empty, 1 one character, 2 more than one */
} LowerSlot;

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
    int lower;              /* read characters as str.lower() gives them */
    int longer;             /* a character lowercases to more than one: offsets would shift */
    int error;              /* lowering raised; the exception is set */
    LowerSlot *slots;       /* LOWER_SLOTS of them when lower is set */
} Text;

static unsigned char ascii_word[128];   /* re's \w for ASCII, filled at import */
static Py_UCS4 ascii_lower[128];        /* str.lower for ASCII, filled at import */
static Py_UCS4 ascii_same[128];         /* ASCII as it is */

/* str.lower of one non-ASCII character (not the capital sigma), remembered per text. */
static Py_UCS4
lower_other(Text *t, Py_UCS4 ch)
{
    if (t->error)   /* an exception is set: call nothing more, the caller gives up */
        return ch;
    LowerSlot *slot = &t->slots[ch % LOWER_SLOTS];
    if (slot->state == 0 || slot->key != ch) {
        PyObject *one = PyUnicode_FromOrdinal((int)ch);
        PyObject *low = one == NULL ? NULL : PyObject_CallMethod(one, "lower", NULL);
        Py_XDECREF(one);
        if (low == NULL || !PyUnicode_Check(low)) {
            if (low != NULL)
                PyErr_SetString(PyExc_TypeError, "str.lower gave a non-str");
            Py_XDECREF(low);
            t->error = 1;
            return ch;
        }
        slot->key = ch;
        if (PyUnicode_GET_LENGTH(low) == 1) {
            slot->value = PyUnicode_READ_CHAR(low, 0);
            slot->state = 1;
        }
        else {
            slot->value = ch;
            slot->state = 2;
        }
        Py_DECREF(low);
    }
    if (slot->state == 2)
        t->longer = 1;
    return slot->value;
}

static inline Py_UCS4
lowered(Text *t, Py_UCS4 ch)
{
    if (!t->lower)
        return ch;
    return ch < 128 ? ascii_lower[ch] : lower_other(t, ch);
}

/* The character at pos as the scan sees it. */
static inline Py_UCS4
at(Text *t, Py_ssize_t pos)
{
    return lowered(t, PyUnicode_READ(t->kind, t->data, pos));
}

static inline int
is_word(Py_UCS4 ch)
{
    if (ch < 128)
        return ascii_word[ch];
    return Py_UNICODE_ISALNUM(ch);
}

static inline int
is_space(Py_UCS4 ch)
{
    return Py_UNICODE_ISSPACE(ch);
}

static inline int
is_apostrophe(Py_UCS4 ch)
{
    return ch == '\'' || ch == APOSTROPHE;
}

/* (?:['\u2019]s) at pos */
static inline int
possessive_at(Text *t, Py_ssize_t pos)
{
    return pos + 1 < t->n && is_apostrophe(at(t, pos))
           && at(t, pos + 1) == 's';
}

/* (?!\w|['\u2019.\-]\w) at pos */
static inline int
token_end_at(Text *t, Py_ssize_t pos)
{
    if (pos >= t->n)
        return 1;
    Py_UCS4 ch = at(t, pos);
    if (is_word(ch))
        return 0;
    if ((is_apostrophe(ch) || ch == '.' || ch == '-') && pos + 1 < t->n
            && is_word(at(t, pos + 1)))
        return 0;
    return 1;
}

/* Whether words k.. of form match from pos, as the atoms of attribution._form_atoms do
 * (the only backtracking choice is taking the optional possessive or not). */
static int
match_words(const Form *form, Py_ssize_t k, Text *t, Py_ssize_t pos)
{
    const Word *w = &form->words[k];
    int last = k == form->nwords - 1;
    if (k > 0) {
        if (pos >= t->n || !is_space(at(t, pos)))
            return 0;
        while (pos < t->n && is_space(at(t, pos)))
            pos++;
    }
    for (Py_ssize_t c = 0; c < w->len; c++, pos++) {
        if (pos >= t->n)
            return 0;
        Py_UCS4 ch = at(t, pos);
        if (w->stem[c] == '\'' ? !is_apostrophe(ch) : ch != w->stem[c])
            return 0;
    }
    if (w->wildcard) {
        if (last)
            return 1;
        while (pos < t->n) {
            Py_UCS4 ch = at(t, pos);
            if (!(is_word(ch) || is_apostrophe(ch) || ch == '.' || ch == '-'))
                break;
            pos++;
        }
        return match_words(form, k + 1, t, pos);
    }
    if (last) {
        if (possessive_at(t, pos) && token_end_at(t, pos + 2))
            return 1;
        return token_end_at(t, pos);
    }
    if (k == 0 && possessive_at(t, pos) && match_words(form, k + 1, t, pos + 2))
        return 1;
    return match_words(form, k + 1, t, pos);
}

static int
any_form_at(const Forms *fs, Text *t, Py_ssize_t pos)
{
    Py_ssize_t node = 0, p = pos;
    for (;;) {
        const Node *here = &fs->nodes[node];
        for (Py_ssize_t x = here->fstart; x < here->fstart + here->fcount; x++)
            if (match_words(&fs->forms[fs->form_index[x]], 0, t, pos))
                return 1;
        if (p >= t->n)
            return 0;
        node = trie_child(fs, node, fold_apostrophe(at(t, p)));
        if (node < 0)
            return 0;
        p++;
    }
}

/* For an ASCII character ch (as scanned): whether a first stem may start with it and the next
 * two characters as written (0x110000 past the end), by the pair and triple tables. A non-ASCII
 * next character leaves it to the walk. */
static inline int
worth_walking(const Forms *fs, const Py_UCS4 *ascii, Py_UCS4 ch, Py_UCS4 next, Py_UCS4 third)
{
    if (next == 0x110000)
        return 1;
    if (next >= 128)
        return 1;
    next = fold_apostrophe(ascii[next]);
    int pair = fs->pair[ch][next];
    if (pair != 1)
        return pair;
    if (third == 0x110000)
        return 0;   /* every stem starting so is three characters or more */
    if (third >= 128)
        return 1;
    third = ascii[third];
    unsigned int h = triple_hash(ch, next, third);
    return (fs->triple[h / 8] >> (h % 8)) & 1;
}

/* A list of ints as a new C array; NULL with an exception set on failure. */
static Py_ssize_t *
int_array(PyObject *list, Py_ssize_t *size)
{
    /* PyLong_AsSsize_t runs no Python code (no __index__): a list can be read in place. */
    PyObject *seq = PySequence_Fast(list, "expected a sequence of ints");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    Py_ssize_t *out = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof(Py_ssize_t));
    if (out == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        out[i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i));
        if (out[i] == -1 && PyErr_Occurred()) {
            PyMem_Free(out);
            Py_DECREF(seq);
            return NULL;
        }
    }
    Py_DECREF(seq);
    *size = n;
    return out;
}

static int
append_pair(PyObject *list, Py_ssize_t a, Py_ssize_t b)
{
    PyObject *pair = Py_BuildValue("(nn)", a, b);
    if (pair == NULL)
        return -1;
    int rc = PyList_Append(list, pair);
    Py_DECREF(pair);
    return rc;
}

static int
append_int(PyObject *list, Py_ssize_t a)
{
    PyObject *value = PyLong_FromSsize_t(a);
    if (value == NULL)
        return -1;
    int rc = PyList_Append(list, value);
    Py_DECREF(value);
    return rc;
}

static PyObject *
cue_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *capsule, *text, *qs, *qe;
    int lower = 0;
    if (!PyArg_ParseTuple(args, "OUOO|p:cue_starts", &capsule, &text, &qs, &qe, &lower))
        return NULL;
    Forms *fs = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (fs == NULL)
        return NULL;
    Py_ssize_t nq = 0, nqe = 0;
    Py_ssize_t *starts = int_array(qs, &nq);
    if (starts == NULL)
        return NULL;
    Py_ssize_t *ends = int_array(qe, &nqe);
    if (ends == NULL) {
        PyMem_Free(starts);
        return NULL;
    }
    PyObject *out = NULL;
    if (nq != nqe) {
        PyErr_SetString(PyExc_ValueError, "quote starts and ends differ in length");
        goto done;
    }
    for (Py_ssize_t q = 1; q < nq; q++) {
        if (starts[q] < starts[q - 1]) {
            PyErr_SetString(PyExc_ValueError, "quote starts must be sorted");
            goto done;
        }
    }
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    LowerSlot slots[LOWER_SLOTS];
    memset(slots, 0, sizeof(slots));
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), lower, 0, 0,
              slots};
    Py_ssize_t q = 0;        /* quotations starting at or before pos: bisect_right(starts, pos) */
    int after_word = 0;      /* the character before pos is \w (the text starts after a blank) */
    const Py_UCS4 *ascii = lower ? ascii_lower : ascii_same;
    unsigned char may_start[128];   /* an ASCII character a first stem may start with */
    for (int c = 0; c < 128; c++)
        may_start[c] = (unsigned char)(fs->root_ascii[c] >= 0);
    /* One loop per string kind: reading the characters is most of the work. An ASCII character
     * that no first stem starts with (compile_forms admits no empty stem) needs no trie walk.
     * Lowering may fail in the scan or in the walk (t.error): the walk is checked at once, so
     * that nothing runs with the exception set. */
#define SCAN(TYPE)                                                                          \
    {                                                                                       \
        const TYPE *chars = (const TYPE *)t.data;                                           \
        for (Py_ssize_t pos = 0; pos < t.n; pos++) {                                        \
            Py_UCS4 ch = chars[pos];                                                        \
            int candidate;                                                                  \
            if (ch < 128) {                                                                 \
                /* Without branches: most characters are inside words, or no stem starts    \
                 * with them and the next character (the pair table). */                   \
                ch = ascii[ch];                                                             \
                Py_UCS4 next = pos + 1 < t.n ? chars[pos + 1] : 0x110000;                   \
                int may = next < 128 ? fs->pair[ch][ascii[next]] != 0 : may_start[ch];      \
                candidate = (after_word ^ 1) & may;                                         \
                after_word = ascii_word[ch];                                                \
            }                                                                               \
            else {                                                                          \
                ch = lowered(&t, ch);                                                       \
                if (t.error) {                                                              \
                    Py_CLEAR(out);                                                          \
                    goto done;                                                              \
                }                                                                           \
                candidate = !after_word;                                                    \
                after_word = is_word(ch);                                                   \
            }                                                                               \
            if (candidate && (ch >= 128                                                     \
                              || worth_walking(fs, ascii, ch,                               \
                                               pos + 1 < t.n ? chars[pos + 1] : 0x110000,   \
                                               pos + 2 < t.n ? chars[pos + 2] : 0x110000))) \
            {                                                                               \
                int found = any_form_at(fs, &t, pos);                                       \
                if (t.error) {                                                              \
                    Py_CLEAR(out);                                                          \
                    goto done;                                                              \
                }                                                                           \
                while (found && q < nq && starts[q] <= pos)                                 \
                    q++;                                                                    \
                if (found && !(q > 0 && pos < ends[q - 1]) && append_int(out, pos) < 0) {   \
                    Py_CLEAR(out);                                                          \
                    goto done;                                                              \
                }                                                                           \
            }                                                                               \
        }                                                                                   \
    }
    switch (t.kind) {
    case PyUnicode_1BYTE_KIND: SCAN(Py_UCS1) break;
    case PyUnicode_2BYTE_KIND: SCAN(Py_UCS2) break;
    default: SCAN(Py_UCS4) break;
    }
#undef SCAN
    if (t.longer)   /* as the Python path: the lowercased text cannot be searched */
        Py_SETREF(out, Py_NewRef(Py_None));
done:
    PyMem_Free(starts);
    PyMem_Free(ends);
    return out;
}

/* ---- quotations ------------------------------------------------------------------------------ */

#define OPEN_MARK 0x201C
#define CLOSE_MARK 0x201D

/* The first offset from i of a newline or quotation mark, or n; one loop per string kind. */
static Py_ssize_t
next_quote_event(int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
#define EVENT(c) ((c) == '\n' || (c) == '"' || (c) == OPEN_MARK || (c) == CLOSE_MARK)
    switch (kind) {
    case PyUnicode_1BYTE_KIND:   /* no curly marks fit in one byte */
        for (const Py_UCS1 *d = data; i < n && d[i] != '\n' && d[i] != '"'; i++)
            ;
        return i;
    case PyUnicode_2BYTE_KIND:
        for (const Py_UCS2 *d = data; i < n && !EVENT(d[i]); i++)
            ;
        return i;
    default:
        for (const Py_UCS4 *d = data; i < n && !EVENT(d[i]); i++)
            ;
        return i;
    }
#undef EVENT
}

static PyObject *
find_quotes(PyObject *Py_UNUSED(module), PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "find_quotes expects str");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *spans = PyList_New(0), *problems = PyList_New(0);
    if (spans == NULL || problems == NULL)
        goto error;
    Py_ssize_t open_at = -1, line_start = 0, skip_until = -1;
    for (Py_ssize_t i = next_quote_event(kind, data, n, 0); i < n;
            i = next_quote_event(kind, data, n, i + 1)) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (i < skip_until)
            continue;
        if (ch == '\n') {
            if (open_at < 0) {   /* a paragraph end matters only to an open quotation */
                line_start = i + 1;
                continue;
            }
            Py_ssize_t line_len = i - line_start, j = i;
            int newline_after = 0;
            while (j < n) {
                Py_UCS4 c = PyUnicode_READ(kind, data, j);
                if (c != ' ' && c != '\t' && c != '\n')
                    break;
                if (c == '\n' && j > i)
                    newline_after = 1;
                j++;
            }
            int paragraph_end = newline_after || line_len > 100 || j >= n;
            line_start = i + 1;
            if (paragraph_end) {
                if (j < n) {
                    Py_UCS4 c = PyUnicode_READ(kind, data, j);
                    if (c == OPEN_MARK || c == '"') {
                        skip_until = j + 1;   /* a continuation paragraph's opening mark */
                        continue;
                    }
                }
                if (append_int(problems, open_at) < 0)
                    goto error;
                open_at = -1;
            }
            continue;
        }
        if (ch == OPEN_MARK || (ch == '"' && open_at < 0)) {
            if (open_at < 0)
                open_at = i;
        }
        else if (open_at >= 0) {
            if (append_pair(spans, open_at, i + 1) < 0)
                goto error;
            open_at = -1;
        }
        else if (ch == CLOSE_MARK) {
            if (append_int(problems, i) < 0)
                goto error;
        }
    }
    if (open_at >= 0 && append_int(problems, open_at) < 0)
        goto error;
    PyObject *result = PyTuple_Pack(2, spans, problems);
    Py_DECREF(spans);
    Py_DECREF(problems);
    return result;
error:
    Py_XDECREF(spans);
    Py_XDECREF(problems);
    return NULL;
}

/* ---- sentences to search (attribution._sentences_to_search) ------------------------------- */

/* A (start, end) tuple as two ints. The tuple must be held by the caller (an item of a private
 * tuple): converting an int may run __index__, which could drop a borrowed one. */
static int
read_span(PyObject *item, Py_ssize_t *start, Py_ssize_t *end)
{
    if (!PyTuple_Check(item)) {
        PyErr_SetString(PyExc_TypeError, "spans must be (start, end) tuples");
        return -1;
    }
    return PyArg_ParseTuple(item, "nn", start, end) ? 0 : -1;
}

/* A word character before the start, or a token going on past the end (\w, or ['\u2019.\-]
 * then \w). */
static int
glued_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t s, Py_ssize_t e)
{
    if (s > 0 && is_word(PyUnicode_READ(kind, data, s - 1)))
        return 1;
    if (e < n) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, e);
        return is_word(ch) || ((is_apostrophe(ch) || ch == '.' || ch == '-') && e + 1 < n
                               && is_word(PyUnicode_READ(kind, data, e + 1)));
    }
    return 0;
}

static PyObject *
sentences_to_search(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *text, *sentences, *starts_arg;
    if (!PyArg_ParseTuple(args, "UOO:sentences_to_search", &text, &sentences, &starts_arg))
        return NULL;
    PyObject *seq = private_tuple(sentences);   /* converting the spans runs __index__ */
    if (seq == NULL)
        return NULL;
    Py_ssize_t nstarts = 0, count = PyTuple_GET_SIZE(seq);
    Py_ssize_t *starts = int_array(starts_arg, &nstarts);
    Py_ssize_t *bounds = PyMem_Calloc((size_t)(2 * count + 1), sizeof(Py_ssize_t));
    PyObject *out = NULL;
    if (starts == NULL || bounds == NULL) {
        if (bounds == NULL && starts != NULL)
            PyErr_NoMemory();
        goto done;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t k = 0; k < count; k++) {
        if (read_span(PyTuple_GET_ITEM(seq, k), &bounds[2 * k], &bounds[2 * k + 1]) < 0)
            goto done;
        if (bounds[2 * k] < 0 || bounds[2 * k + 1] < 0 || bounds[2 * k] > n
                || bounds[2 * k + 1] > n || (k > 0 && bounds[2 * k] < bounds[2 * k - 2])) {
            PyErr_SetString(PyExc_ValueError, "sentences must be in order, inside the text");
            goto done;
        }
    }
    for (Py_ssize_t q = 1; q < nstarts; q++) {
        if (starts[q] < starts[q - 1]) {
            PyErr_SetString(PyExc_ValueError, "starts must be sorted");
            goto done;
        }
    }
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    /* Walk sentences and starts together: the sentence of a start is the last one starting at
     * or before it (bisect_right), if the start lies before its end. */
    Py_ssize_t q = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t s = bounds[2 * k], e = bounds[2 * k + 1];
        Py_ssize_t next = k + 1 < count ? bounds[2 * k + 2] : PY_SSIZE_T_MAX;
        int picked = 0;
        while (q < nstarts && starts[q] < s)
            q++;   /* before this sentence (and after the previous one's end) */
        while (q < nstarts && starts[q] < next) {
            picked |= starts[q] < e;
            q++;
        }
        int glued = glued_at(kind, data, n, s, e);
        if (!(picked || glued))
            continue;
        PyObject *item = Py_BuildValue("(nnO)", s, e, glued ? Py_True : Py_False);
        if (item == NULL || PyList_Append(out, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(out);
            goto done;
        }
        Py_DECREF(item);
    }
done:
    Py_DECREF(seq);
    PyMem_Free(starts);
    PyMem_Free(bounds);
    return out;
}

/* ---- tokens of the sentences to search (tokens.tokenize) ------------------------------------- */

static inline int
is_joiner(Py_UCS4 ch)
{
    return ch == '\'' || ch == APOSTROPHE || ch == '.' || ch == '-';
}

/* The character at pos as tokens._token_spans splits it: lowercased with U+2019 folded to "'"
 * when the piece is folded, else as written. */
static inline Py_UCS4
token_char(Text *t, Py_ssize_t pos, int folded)
{
    Py_UCS4 ch = PyUnicode_READ(t->kind, t->data, pos);
    if (!folded)
        return ch;
    return fold_apostrophe(lowered(t, ch));
}

/* The norms of one call, by hash: a repeated word ("the", "said") is one string object, made
 * and hashed once (later set and dict look-ups reuse its hash). */
#define WORD_SLOTS 1024
#define WORD_MAX 32

/* An ASCII norm of len characters in buffer, as a new reference. */
static PyObject *
ascii_norm(PyObject **words, const Py_UCS4 *buffer, Py_ssize_t len)
{
    PyObject **slot = NULL;
    if (len <= WORD_MAX) {
        unsigned int h = 2166136261u;
        for (Py_ssize_t k = 0; k < len; k++)
            h = (h ^ buffer[k]) * 16777619u;
        slot = &words[h % WORD_SLOTS];
        if (*slot != NULL && PyUnicode_GET_LENGTH(*slot) == len) {
            const Py_UCS1 *chars = PyUnicode_1BYTE_DATA(*slot);
            Py_ssize_t k = 0;
            while (k < len && chars[k] == buffer[k])
                k++;
            if (k == len)
                return Py_NewRef(*slot);
        }
    }
    PyObject *norm = PyUnicode_New(len, 127);
    if (norm == NULL)
        return NULL;
    Py_UCS1 *chars = PyUnicode_1BYTE_DATA(norm);
    for (Py_ssize_t k = 0; k < len; k++)
        chars[k] = (Py_UCS1)buffer[k];
    if (slot != NULL)
        Py_XSETREF(*slot, Py_NewRef(norm));
    return norm;
}

/* tokens.tokenize(text, start, end): a list of (start, end, norm). ``buffer`` holds at least
 * end - start characters, ``words`` WORD_SLOTS shared norms. With ``starts`` (sorted, nstarts of them), ``positions`` gets the
 * indices of the tokens that start at one of them. */
static PyObject *
tokenize_span(Text *t, PyObject *text, Py_ssize_t start, Py_ssize_t end, Py_UCS4 *buffer,
              PyObject **words, const Py_ssize_t *starts, Py_ssize_t nstarts,
              PyObject *positions)
{
    Py_ssize_t q = 0;
    /* The piece is lowercased whole unless a character lowercases to more than one or a
     * capital sigma is present; then each token is lowercased on its own. */
    int folded = 1;
    t->longer = 0;
    for (Py_ssize_t p = start; p < end && folded; p++) {
        Py_UCS4 ch = PyUnicode_READ(t->kind, t->data, p);
        if (ch == 0x3a3)
            folded = 0;
        else if (ch >= 128) {
            lowered(t, ch);
            if (t->error)
                return NULL;
            if (t->longer)
                folded = 0;
        }
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t p = start;
    while (p < end) {
        if (!is_word(token_char(t, p, folded))) {
            p++;
            continue;
        }
        /* \w+(?:['\u2019.\-]\w+)* */
        Py_ssize_t a = p++;
        for (;;) {
            while (p < end && is_word(token_char(t, p, folded)))
                p++;
            if (p + 1 < end && is_joiner(token_char(t, p, folded))
                    && is_word(token_char(t, p + 1, folded)))
                p++;
            else
                break;
        }
        if (t->error)
            goto error;
        PyObject *norm;
        if (folded) {
            Py_UCS4 widest = 0;
            for (Py_ssize_t k = a; k < p; k++) {
                buffer[k - a] = token_char(t, k, 1);
                widest = buffer[k - a] > widest ? buffer[k - a] : widest;
            }
            if (widest < 128)   /* most tokens: an ASCII string, shared when repeated */
                norm = ascii_norm(words, buffer, p - a);
            else
                norm = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buffer, p - a);
        }
        else {   /* tokens.normalise_token of the token as written */
            PyObject *surface = PyUnicode_Substring(text, a, p);
            PyObject *low = surface == NULL ? NULL : PyObject_CallMethod(surface, "lower", NULL);
            Py_XDECREF(surface);
            norm = low == NULL ? NULL : PyObject_CallMethod(low, "replace", "ss", "\u2019", "'");
            Py_XDECREF(low);
        }
        if (norm == NULL)
            goto error;
        PyObject *token = PyTuple_New(3);
        if (token == NULL) {
            Py_DECREF(norm);
            goto error;
        }
        PyTuple_SET_ITEM(token, 2, norm);
        PyObject *first = PyLong_FromSsize_t(a), *last = PyLong_FromSsize_t(p);
        if (first != NULL)
            PyTuple_SET_ITEM(token, 0, first);
        if (last != NULL)
            PyTuple_SET_ITEM(token, 1, last);
        if (first == NULL || last == NULL || PyList_Append(out, token) < 0) {
            Py_DECREF(token);
            goto error;
        }
        /* Ints and a str cannot make a cycle: the collector need not visit the tuple (CPython
         * would untrack it at its next collection anyway). */
        PyObject_GC_UnTrack(token);
        Py_DECREF(token);
        if (positions != NULL) {
            while (q < nstarts && starts[q] < a)
                q++;
            if (q < nstarts && starts[q] == a
                    && append_int(positions, PyList_GET_SIZE(out) - 1) < 0)
                goto error;
        }
    }
    if (t->error)   /* lowering failed in the non-word characters after the last token */
        goto error;
    return out;
error:
    Py_DECREF(out);
    return NULL;
}

static void
release_words(PyObject **words)
{
    if (words == NULL)
        return;
    for (int k = 0; k < WORD_SLOTS; k++)
        Py_XDECREF(words[k]);
    PyMem_Free(words);
}

static PyObject *
tokenize_spans(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *text, *spans, *starts_arg = NULL;
    if (!PyArg_ParseTuple(args, "UO|O:tokenize_spans", &text, &spans, &starts_arg))
        return NULL;
    Py_ssize_t nstarts = 0, *starts = NULL;
    if (starts_arg != NULL) {
        starts = int_array(starts_arg, &nstarts);
        if (starts == NULL)
            return NULL;
        for (Py_ssize_t q = 1; q < nstarts; q++) {
            if (starts[q] < starts[q - 1]) {
                PyErr_SetString(PyExc_ValueError, "starts must be sorted");
                PyMem_Free(starts);
                return NULL;
            }
        }
    }
    PyObject *seq = private_tuple(spans);   /* converting the spans runs __index__ */
    if (seq == NULL) {
        PyMem_Free(starts);
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), count = PyTuple_GET_SIZE(seq);
    LowerSlot slots[LOWER_SLOTS];
    memset(slots, 0, sizeof(slots));
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), n, 1, 0, 0, slots};
    Py_UCS4 *buffer = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(Py_UCS4));
    PyObject **words = PyMem_Calloc(WORD_SLOTS, sizeof(PyObject *));
    PyObject *out = PyList_New(count);
    if (buffer == NULL || words == NULL || out == NULL) {
        if (buffer == NULL || words == NULL)
            PyErr_NoMemory();
        goto error;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t start, end;
        if (read_span(PyTuple_GET_ITEM(seq, k), &start, &end) < 0)
            goto error;
        /* Clamped as tokens._token_spans clamps them. */
        start = start < 0 ? 0 : start > n ? n : start;
        end = end < start ? start : end > n ? n : end;
        PyObject *positions = NULL;
        if (starts_arg != NULL && (positions = PyList_New(0)) == NULL)
            goto error;
        PyObject *tokens = tokenize_span(&t, text, start, end, buffer, words, starts, nstarts,
                                         positions);
        if (tokens == NULL) {
            Py_XDECREF(positions);
            goto error;
        }
        if (positions == NULL)
            PyList_SET_ITEM(out, k, tokens);
        else {
            PyObject *pair = PyTuple_Pack(2, tokens, positions);
            Py_DECREF(tokens);
            Py_DECREF(positions);
            if (pair == NULL)
                goto error;
            PyList_SET_ITEM(out, k, pair);
        }
    }
    release_words(words);
    PyMem_Free(buffer);
    PyMem_Free(starts);
    Py_DECREF(seq);
    return out;
error:
    release_words(words);
    PyMem_Free(buffer);
    PyMem_Free(starts);
    Py_DECREF(seq);
    Py_XDECREF(out);
    return NULL;
}

/* ---- the source phrase before a cue (attribution._source_before) ----------------------------- */

typedef struct {
    Py_ssize_t start, end;
    PyObject *norm;     /* borrowed from the token tuple, which the snapshot holds */
} Tok;

/* toks[0:count] as Toks, each checked to be (int, int, str) inside the text. toks must be a
 * private tuple (list_items): the set look-ups run Python code (a str subclass's __hash__,
 * __eq__ on a hash collision, finalizers) that could drop the tokens of the caller's list
 * while their norms are in use. */
static Tok *
read_tokens(PyObject *toks, Py_ssize_t count, Py_ssize_t n)
{
    Tok *out = PyMem_Calloc(count > 0 ? (size_t)count : 1, sizeof(Tok));
    if (out == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *tok = PyTuple_GET_ITEM(toks, k);
        if (!PyTuple_Check(tok) || PyTuple_GET_SIZE(tok) != 3
                || !PyUnicode_Check(PyTuple_GET_ITEM(tok, 2))) {
            PyErr_SetString(PyExc_TypeError, "tokens must be (start, end, str) tuples");
            goto error;
        }
        out[k].start = PyLong_AsSsize_t(PyTuple_GET_ITEM(tok, 0));
        out[k].end = PyLong_AsSsize_t(PyTuple_GET_ITEM(tok, 1));
        if (PyErr_Occurred())
            goto error;
        if (out[k].start < 0 || out[k].end < out[k].start || out[k].end > n) {
            PyErr_SetString(PyExc_ValueError, "token offsets outside the text");
            goto error;
        }
        out[k].norm = PyTuple_GET_ITEM(tok, 2);
    }
    return out;
error:
    PyMem_Free(out);
    return NULL;
}

/* The norm is one of the words (a tuple such as ("and", "but", "or") tested with in). */
static int
norm_is(PyObject *norm, const char *const *words)
{
    for (; *words != NULL; words++)
        if (PyUnicode_CompareWithASCIIString(norm, *words) == 0)
            return 1;
    return 0;
}

static const char *const COORDINATORS[] = {"and", "but", "or", NULL};
static const char *const ARTICLES[] = {"a", "an", "the", NULL};
static const char *const NAME_PARTICLES[] = {"of", "de", "von", "der", "al", NULL};

/* attribution._is_name: one to five words, each capitalised or a name particle. */
static int
is_name(PyObject *text, const Text *t, const Tok *tk, Py_ssize_t a, Py_ssize_t b)
{
    if (!(0 < b - a && b - a <= 5))
        return 0;
    for (Py_ssize_t m = a; m < b; m++) {
        if (tk[m].end > tk[m].start
                && Py_UNICODE_ISUPPER(PyUnicode_READ(t->kind, t->data, tk[m].start)))
            continue;
        PyObject *word = PyUnicode_Substring(text, tk[m].start, tk[m].end);
        PyObject *low = word == NULL ? NULL : PyObject_CallMethod(word, "lower", NULL);
        Py_XDECREF(word);
        if (low == NULL)
            return -1;
        int particle = PyUnicode_Check(low) && norm_is(low, NAME_PARTICLES);
        Py_DECREF(low);
        if (!particle)
            return 0;
    }
    return 1;
}

/* Membership in a set; -1 with an exception set on error. */
static inline int
in_set(PyObject *set, PyObject *word)
{
    return PySet_Contains(set, word);
}

/* attribution._clause_chunks: up to two chunks [a, b) before token i, nearest first. */
static Py_ssize_t
clause_chunks(const Text *t, const Tok *tk, Py_ssize_t i, Py_ssize_t floor,
              Py_ssize_t chunks[2][2])
{
    Py_ssize_t count = 0, b = i, k = i - 1;
    for (; k >= 0 && tk[k].start >= floor; k--) {
        if (k + 1 >= i)
            continue;
        int boundary = 0, comma = 0;
        for (Py_ssize_t p = tk[k].end; p < tk[k + 1].start; p++) {
            Py_UCS4 ch = PyUnicode_READ(t->kind, t->data, p);
            if (ch == ',')
                comma = 1;
            else if (ch == ';' || ch == ':' || ch == '(' || ch == ')' || ch == 0x2014
                     || ch == 0x201c || ch == 0x201d || ch == '"')
                boundary = 1;
        }
        if (boundary)
            break;
        if (comma) {
            chunks[count][0] = k + 1;
            chunks[count][1] = b;
            if (++count == 2)
                return count;
            b = k + 1;
        }
    }
    if (k + 1 < b) {
        chunks[count][0] = k + 1;
        chunks[count][1] = b;
        count++;
    }
    return count;
}

static PyObject *
source_before(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 8 || !PyUnicode_Check(args[0]) || !PyList_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "source_before(text, toks, i, floor, adverbs, "
                        "ends_source, prepositions, not_source_words)");
        return NULL;
    }
    PyObject *text = args[0], *toks = args[1];
    PyObject *adverbs = args[4], *ends_source = args[5], *prepositions = args[6],
             *not_source = args[7];
    Py_ssize_t i = PyLong_AsSsize_t(args[2]), floor = PyLong_AsSsize_t(args[3]);
    if (PyErr_Occurred())
        return NULL;
    if (i < 0 || i > PyList_GET_SIZE(toks)) {
        PyErr_SetString(PyExc_IndexError, "token index out of range");
        return NULL;
    }
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), 0, 0, 0,
              NULL};
    PyObject *snapshot = list_items(toks, i);
    if (snapshot == NULL)
        return NULL;
    Tok *tk = read_tokens(snapshot, i, t.n);
    if (tk == NULL) {
        Py_DECREF(snapshot);
        return NULL;
    }
    PyObject *result = NULL;
    int found;
    Py_ssize_t k = i - 1;
    /* Adverbs and auxiliaries right before the cue are skipped. */
    while (k >= 0) {
        if ((found = in_set(adverbs, tk[k].norm)) < 0)
            goto done;
        if (!found || tk[k].start < floor)
            break;
        k--;
    }
    if (k < 0 || tk[k].start < floor)
        goto none;
    Py_ssize_t chunks[2][2];
    Py_ssize_t nchunks = clause_chunks(&t, tk, k + 1, floor, chunks);
    if (nchunks == 0)
        goto none;
    Py_ssize_t a = chunks[0][0], b = chunks[0][1], start = b;
    for (Py_ssize_t m = b - 1; m >= a; m--) {
        if ((found = in_set(ends_source, tk[m].norm)) < 0)
            goto done;
        if (found)
            break;
        start = m;
    }
    while (start < b) {
        if ((found = in_set(prepositions, tk[start].norm)) < 0)
            goto done;
        if (!found && !norm_is(tk[start].norm, COORDINATORS))
            break;
        start++;
    }
    if (start >= b || b - start > 14)
        goto none;
    int all_excluded = 1;
    for (Py_ssize_t m = start; m < b && all_excluded; m++) {
        if ((found = in_set(not_source, tk[m].norm)) < 0)
            goto done;
        all_excluded = found;
    }
    if (all_excluded)
        goto none;
    /* "Name, a senior fellow at X, said": the apposition chunk joins the name before it. */
    if (start == a && norm_is(tk[a].norm, ARTICLES) && nchunks > 1 && b - a > 1
            && tk[a + 1].end > tk[a + 1].start
            && Py_UNICODE_ISLOWER(PyUnicode_READ(t.kind, t.data, tk[a + 1].start))) {
        int name = is_name(text, &t, tk, chunks[1][0], chunks[1][1]);
        if (name < 0)
            goto done;
        if (name)
            start = chunks[1][0];
    }
    Py_ssize_t end = tk[b - 1].end;
    if (PyUnicode_FindChar(tk[b - 1].norm, '.', 0, PyUnicode_GET_LENGTH(tk[b - 1].norm), 1) >= 0
            && end < t.n && PyUnicode_READ(t.kind, t.data, end) == '.')
        end++;   /* "the U.N." keeps its final period */
    result = Py_BuildValue("(nn)", tk[start].start, end);
    goto done;
none:
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(tk);
    Py_DECREF(snapshot);
    return result;
}

/* ---- where a speaker label can start (voices._label_starts) ------------------------------- */

/* voices._LABEL_RUN: a character a label can hold before its colon. */
static inline int
in_label_run(Py_UCS4 ch)
{
    return is_word(ch) || is_space(ch) || ch == '\'' || ch == '.' || ch == '-'
           || (ch >= 0xe0 && ch <= 0x17e);
}

/* voices._LABEL_TRIGGER's first character. */
static inline int
is_trigger_mark(Py_UCS4 ch)
{
    return ch == '\n' || ch == '.' || ch == '!' || ch == '?' || ch == 0x2026 || ch == 0x201d
           || ch == ')';
}

typedef struct {
    Py_ssize_t *items;
    Py_ssize_t size, capacity;
} Offsets;

static int
offsets_add(Offsets *o, Py_ssize_t value)
{
    if (o->size == o->capacity) {
        Py_ssize_t *items = grow_array(o->items, &o->capacity, o->size + 1,
                                       sizeof(Py_ssize_t), 64);
        if (items == NULL)
            return -1;
        o->items = items;
    }
    o->items[o->size++] = value;
    return 0;
}

/* The label starts of a trigger match [p, q): after its mark, and past one blank. */
static int
add_trigger(Offsets *o, Py_ssize_t p, Py_ssize_t q)
{
    if (offsets_add(o, p + 1) < 0)
        return -1;
    return q > p + 1 ? offsets_add(o, p + 2) : 0;
}

static int
compare_offsets(const void *a, const void *b)
{
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x > y) - (x < y);
}

static PyObject *
label_starts(PyObject *Py_UNUSED(module), PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "label_starts expects str");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Offsets o = {NULL, 0, 0};
    PyObject *out = NULL;
    if (offsets_add(&o, 0) < 0)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch == '\n') {
            /* _Q_TRIGGER: a newline, blanks, then "Q" and a blank or colon. */
            Py_ssize_t j = i + 1;
            while (j < n && (PyUnicode_READ(kind, data, j) == ' '
                             || PyUnicode_READ(kind, data, j) == '\t'))
                j++;
            if (j + 1 < n && PyUnicode_READ(kind, data, j) == 'Q') {
                Py_UCS4 after = PyUnicode_READ(kind, data, j + 1);
                if ((after == ' ' || after == '\t' || after == ':') && add_trigger(&o, i, j) < 0)
                    goto done;
            }
        }
        else if (ch == ':' && i + 1 < n && (PyUnicode_READ(kind, data, i + 1) == ' '
                                           || PyUnicode_READ(kind, data, i + 1) == '\t')) {
            /* _LABEL_COLON: the run before it, then _LABEL_TRIGGER's matches from the character
             * before the run up to the colon (the colon is no run character, so runs are
             * disjoint and each is read once). */
            Py_ssize_t run = i;
            while (run > 0 && in_label_run(PyUnicode_READ(kind, data, run - 1)))
                run--;
            Py_ssize_t p = run > 0 ? run - 1 : 0;
            while (p < i) {
                if (!is_trigger_mark(PyUnicode_READ(kind, data, p))) {
                    p++;
                    continue;
                }
                Py_ssize_t q = p + 1;
                while (q < i && (PyUnicode_READ(kind, data, q) == ' '
                                 || PyUnicode_READ(kind, data, q) == '\t'))
                    q++;
                Py_UCS4 next = q < i ? PyUnicode_READ(kind, data, q) : 0;
                if (next >= 'A' && next <= 'Z') {
                    if (add_trigger(&o, p, q) < 0)
                        goto done;
                    p = q;   /* finditer goes on after the match */
                }
                else
                    p++;
            }
        }
    }
    qsort(o.items, (size_t)o.size, sizeof(Py_ssize_t), compare_offsets);
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < o.size; k++) {
        if (k > 0 && o.items[k] == o.items[k - 1])
            continue;
        if (append_int(out, o.items[k]) < 0) {
            Py_CLEAR(out);
            goto done;
        }
    }
done:
    PyMem_Free(o.items);
    return out;
}

/* ---- segments from layers (voices._flatten) ------------------------------------------------ */

typedef struct {
    Py_ssize_t level, order;
    /* end - start, which need not fit a Py_ssize_t: its sign and magnitude (0 is never
     * negative) */
    int negative;
    size_t magnitude;
} LayerKey;

/* The sign of x's length minus y's. */
static int
compare_lengths(const LayerKey *x, const LayerKey *y)
{
    if (x->negative != y->negative)
        return x->negative ? -1 : 1;
    int c = (x->magnitude > y->magnitude) - (x->magnitude < y->magnitude);
    return x->negative ? -c : c;
}

/* sorted(layers, key=lambda l: (l[2], -(l[1] - l[0]))), stable through the original order. */
static int
compare_layers(const void *a, const void *b)
{
    const LayerKey *x = a, *y = b;
    if (x->level != y->level)
        return (x->level > y->level) - (x->level < y->level);
    int longer = compare_lengths(x, y);
    if (longer != 0)
        return -longer;
    return (x->order > y->order) - (x->order < y->order);
}

/* max(0, min(n, p)), as voices._flatten clamps (0 wins when n < 0). */
static inline Py_ssize_t
clamp(Py_ssize_t p, Py_ssize_t n)
{
    p = p > n ? n : p;
    return p < 0 ? 0 : p;
}

/* The index of p in the sorted distinct points (p is one of them). */
static Py_ssize_t
point_index(const Py_ssize_t *points, Py_ssize_t count, Py_ssize_t p)
{
    Py_ssize_t lo = 0, hi = count;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (points[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* (a, b, *top[3:]) */
static PyObject *
segment_tuple(Py_ssize_t a, Py_ssize_t b, PyObject *top)
{
    Py_ssize_t extra = PyTuple_GET_SIZE(top) > 3 ? PyTuple_GET_SIZE(top) - 3 : 0;
    PyObject *out = PyTuple_New(2 + extra);
    if (out == NULL)
        return NULL;
    PyObject *first = PyLong_FromSsize_t(a), *last = PyLong_FromSsize_t(b);
    if (first != NULL)
        PyTuple_SET_ITEM(out, 0, first);
    if (last != NULL)
        PyTuple_SET_ITEM(out, 1, last);
    if (first == NULL || last == NULL) {
        Py_DECREF(out);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < extra; k++)
        PyTuple_SET_ITEM(out, 2 + k, Py_NewRef(PyTuple_GET_ITEM(top, 3 + k)));
    return out;
}

static PyObject *
flatten(PyObject *Py_UNUSED(module), PyObject *args)
{
    Py_ssize_t n;
    PyObject *base, *layers;
    if (!PyArg_ParseTuple(args, "nO!O!:flatten", &n, &PyTuple_Type, &base, &PyList_Type, &layers))
        return NULL;
    /* owner[] points into the layers while new objects are made, when a garbage collection
     * may run a finalizer that empties the caller's list: a private tuple holds them. */
    layers = list_items(layers, PY_SSIZE_T_MAX);
    if (layers == NULL)
        return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(layers);
    Py_ssize_t *bounds = PyMem_Calloc((size_t)(2 * count + 2), sizeof(Py_ssize_t));
    Py_ssize_t *points = PyMem_Calloc((size_t)(2 * count + 2), sizeof(Py_ssize_t));
    LayerKey *keys = PyMem_Calloc(count > 0 ? (size_t)count : 1, sizeof(LayerKey));
    PyObject **owner = PyMem_Calloc((size_t)(2 * count + 2), sizeof(PyObject *));
    PyObject *out = NULL;
    if (bounds == NULL || points == NULL || keys == NULL || owner == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *lay = PyTuple_GET_ITEM(layers, k);
        if (!PyTuple_Check(lay) || PyTuple_GET_SIZE(lay) < 3) {
            PyErr_SetString(PyExc_TypeError, "layers must be tuples (start, end, level, ...)");
            goto done;
        }
        Py_ssize_t a = PyLong_AsSsize_t(PyTuple_GET_ITEM(lay, 0));
        Py_ssize_t b = PyLong_AsSsize_t(PyTuple_GET_ITEM(lay, 1));
        Py_ssize_t level = PyLong_AsSsize_t(PyTuple_GET_ITEM(lay, 2));
        if (PyErr_Occurred())
            goto done;
        bounds[2 * k] = a;
        bounds[2 * k + 1] = b;
        keys[k].level = level;
        /* Unsigned differences wrap modulo SIZE_MAX + 1, and the magnitude is below that. */
        keys[k].negative = b < a;
        keys[k].magnitude = b < a ? (size_t)a - (size_t)b : (size_t)b - (size_t)a;
        keys[k].order = k;
    }
    /* The distinct clamped bounds, with 0 and n. */
    Py_ssize_t npoints = 0;
    for (Py_ssize_t k = 0; k < 2 * count; k++)
        points[npoints++] = clamp(bounds[k], n);
    points[npoints++] = 0;
    points[npoints++] = n;
    qsort(points, (size_t)npoints, sizeof(Py_ssize_t), compare_offsets);
    Py_ssize_t distinct = 0;
    for (Py_ssize_t k = 0; k < npoints; k++)
        if (distinct == 0 || points[k] != points[distinct - 1])
            points[distinct++] = points[k];
    /* Paint each elementary interval with the winning layer: higher level, then shorter span. */
    for (Py_ssize_t k = 0; k + 1 < distinct; k++)
        owner[k] = base;
    qsort(keys, (size_t)count, sizeof(LayerKey), compare_layers);
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t order = keys[k].order;
        Py_ssize_t lo = point_index(points, distinct, clamp(bounds[2 * order], n));
        Py_ssize_t hi = point_index(points, distinct, clamp(bounds[2 * order + 1], n));
        for (Py_ssize_t x = lo; x < hi; x++)
            owner[x] = PyTuple_GET_ITEM(layers, order);
    }
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    Py_ssize_t run_start = 0;
    for (Py_ssize_t k = 0; k + 1 < distinct; k++) {
        /* A run of intervals with the very same owner is one segment. */
        if (k + 2 < distinct && owner[k + 1] == owner[k])
            continue;
        PyObject *segment = segment_tuple(points[run_start], points[k + 1], owner[k]);
        if (segment == NULL || PyList_Append(out, segment) < 0) {
            Py_XDECREF(segment);
            Py_CLEAR(out);
            goto done;
        }
        Py_DECREF(segment);
        run_start = k + 1;
    }
    if (PyList_GET_SIZE(out) == 0) {   /* an empty document: one empty segment */
        PyObject *segment = segment_tuple(0, 0, base);
        if (segment == NULL || PyList_Append(out, segment) < 0) {
            Py_XDECREF(segment);
            Py_CLEAR(out);
        }
        else
            Py_DECREF(segment);
    }
done:
    PyMem_Free(bounds);
    PyMem_Free(points);
    PyMem_Free(keys);
    PyMem_Free(owner);
    Py_DECREF(layers);
    return out;
}

/* ---- module -------------------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"compile_forms", compile_forms, METH_O,
     "compile_forms(forms) -> capsule: cue forms (tuples of lexicon words) for cue_starts; "
     "ValueError for a form without words, with an empty stem, or with a blank opening a word "
     "after the first (attribution._native_form)."},
    {"cue_starts", cue_starts, METH_VARARGS,
     "cue_starts(forms, text, quote_starts, quote_ends, lower=False) -> sorted offsets where a "
     "form can start after a non-word character (or at 0) of the text (read lowercased when "
     "lower is set; the text must then hold no capital sigma), outside the quotations; None "
     "when lowercasing would change the length."},
    {"sentences_to_search", sentences_to_search, METH_VARARGS,
     "sentences_to_search(text, sentences, starts) -> "
     "attribution._sentences_to_search(text, sentences, starts)."},
    {"source_before", (PyCFunction)(void (*)(void))source_before, METH_FASTCALL,
     "source_before(text, toks, i, floor, adverbs, ends_source, prepositions, not_source_words)"
     " -> attribution._source_before(text, toks, i, floor) given its word sets."},
    {"tokenize_spans", tokenize_spans, METH_VARARGS,
     "tokenize_spans(text, spans[, starts]) -> [tokens.tokenize(text, s, e) for s, e in spans]; "
     "with sorted starts, each item is (tokens, indices of the tokens starting at one)."},
    {"flatten", flatten, METH_VARARGS,
     "flatten(n, base, layers) -> voices._flatten(n, base, layers)."},
    {"label_starts", label_starts, METH_O,
     "label_starts(text) -> sorted offsets where voices._LABEL_RE may match."},
    {"find_quotes", find_quotes, METH_O,
     "find_quotes(text) -> (spans, problems): quotation spans and offsets of ignored marks."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "attrscan",
    "Compiled twins of attribution's cue pre-filter scan and quotation finder.", -1, methods,
    NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC
PyInit_attrscan(void)
{
    for (Py_UCS4 c = 0; c < 128; c++) {
        ascii_word[c] = (unsigned char)(Py_UNICODE_ISALNUM(c) || c == '_');
        ascii_lower[c] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
        ascii_same[c] = c;
    }
    return PyModule_Create(&module);
}
