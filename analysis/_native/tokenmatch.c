/* tokenmatch: compiled twin of the word tokenizer in analysis/tokens.py (tokens_table) and of
 * three hot spots of the lexicon matcher in analysis/measures.py.
 *
 * tokens_table turns 2 MB of text into ~360k tokens; in Python that is a regex split building a
 * str per token, Arrow string columns built from those strs one by one, and Arrow lowercasing of
 * every token. Here one pass over each sentence finds the tokens (the spans of TOKEN_PATTERN,
 * r"\w+(?:['\u2019.\-]\w+)*", with Python's str-pattern \w: str.isalnum() or '_') and interns
 * them: each distinct token text becomes one str and every token an integer code into the list
 * of those strs, so the caller lowercases ~20k strings instead of ~360k, and the string columns
 * are filled as Arrow buffers straight from the codes (gather_utf8).
 *
 * Pure-Python twins (the reference; they run when this module is not built):
 *   Interner.scan      tokens._sentence_tokens: every sentence tokenised on its own, offsets
 *                      clamped as the regex engine clamps pos/endpos
 *   gather_utf8        taking from the distinct values' Arrow array by code
 *   gap_flags          measures._TokenIndex._gap_flags (numpy over the UTF-32 text)
 *   token_lists        the list building in measures._TokenIndex.sentence_tokens
 *   eval_rules         the filter rules of analysis/rules.py, one Context per hit (10k hits a
 *                      run, each a Context, a token list and a dozen Python calls)
 *   match_forms        the candidate pairs and word checks of measures._lexicon_hits
 *   factorize_utf8     pandas.factorize of an Arrow string column (measures._factorize)
 *   slices_utf8        the matched column of measures._hits_frame (measures._text_slices)
 * tests/test_native_tokenmatch.py asserts identical tables, and \w on every code point.
 *
 * Offsets and codes cross the boundary as buffers of native int64 (numpy arrays in; bytes or
 * Column buffers out, read with numpy.frombuffer).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "growable.h"
#include "private_copy.h"
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------- character classes */

/* Python's \w for str patterns (sre's SRE_UNI_IS_WORD): alphanumeric or underscore; looked up
 * in a table for the Basic Multilingual Plane, asked of the Unicode database above it. */
static unsigned char bmp_word[0x10000];

static void init_word_table(void)
{
    for (Py_UCS4 c = 0; c < 0x10000; c++)
        bmp_word[c] = c == '_' || Py_UNICODE_ISALNUM(c);
}

static inline int is_word(Py_UCS4 c)
{
    if (c < 0x10000)
        return bmp_word[c];
    return Py_UNICODE_ISALNUM(c);
}

/* The joiners TOKEN_PATTERN allows between runs of word characters. */
static inline int is_joiner(Py_UCS4 c)
{
    return c == '\'' || c == 0x2019 || c == '.' || c == '-';
}

/* ---------------------------------------------------------------- growable int64 buffer */

typedef struct {
    int64_t *data;
    Py_ssize_t size, cap;
} vec;

static int vec_push(vec *v, int64_t x)
{
    if (v->size == v->cap) {
        int64_t *data = grow_array(v->data, &v->cap, v->size + 1, sizeof(int64_t), 1024);
        if (!data)
            return -1;
        v->data = data;
    }
    v->data[v->size++] = x;
    return 0;
}

/* A read-only buffer that owns a vec's memory: hands a column to numpy without copying it. */
typedef struct {
    PyObject_HEAD
    int64_t *data;
    Py_ssize_t size;
} Column;

static int Column_getbuffer(Column *self, Py_buffer *view, int flags)
{
    return PyBuffer_FillInfo(view, (PyObject *)self, self->data,
                             self->size * (Py_ssize_t)sizeof(int64_t), 1, flags);
}

static void Column_dealloc(Column *self)
{
    PyMem_Free(self->data);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyBufferProcs Column_as_buffer = {(getbufferproc)Column_getbuffer, NULL};

static PyTypeObject ColumnType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "analysis._native.tokenmatch.Column",
    .tp_basicsize = sizeof(Column),
    .tp_dealloc = (destructor)Column_dealloc,
    .tp_as_buffer = &Column_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "int64 values (read them with numpy.frombuffer).",
};

/* A Column taking over v's memory (v is left empty); NULL on error (v unchanged). */
static PyObject *vec_column(vec *v)
{
    Column *column = PyObject_New(Column, &ColumnType);
    if (!column)
        return NULL;
    column->data = v->data;
    column->size = v->size;
    v->data = NULL;
    v->size = v->cap = 0;
    return (PyObject *)column;
}

static void vec_free(vec *v)
{
    PyMem_Free(v->data);
    v->data = NULL;
    v->size = v->cap = 0;
}

/* An int64 buffer argument (a C-contiguous numpy int64 array). */
static int get_int64_buffer(PyObject *obj, Py_buffer *view, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    if (view->itemsize != 8 || view->format == NULL ||
        !(strcmp(view->format, "q") == 0 || strcmp(view->format, "l") == 0 ||
          strcmp(view->format, "<q") == 0 || strcmp(view->format, "<l") == 0 ||
          strcmp(view->format, "=q") == 0 || strcmp(view->format, "=l") == 0)) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "%s must be a contiguous int64 buffer", what);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- interner */

/* Distinct token texts in order of first appearance, found by a hash of their code points
 * (independent of the str kind, since a token of a UCS-2 document may be ASCII). */
typedef struct {
    PyObject_HEAD
    PyObject *words;      /* list of str: code -> token text */
    int64_t *slots;       /* open addressing: code, or -1 for an empty slot */
    uint64_t *hashes;     /* hash of the word in each slot */
    Py_ssize_t capacity;  /* a power of two */
    /* The token columns of every scan so far, one element per token. */
    vec rows, tstarts, tends, tok_ids, codes;
} Interner;

/* FNV-1a over code points (so equal texts of different str kinds hash alike), then the length. */
#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

static int span_equals(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, PyObject *word)
{
    Py_ssize_t n = b - a;
    if (PyUnicode_GET_LENGTH(word) != n)
        return 0;
    int wkind = PyUnicode_KIND(word);
    const void *wdata = PyUnicode_DATA(word);
    if (wkind == kind)
        return memcmp((const char *)data + a * kind, wdata, (size_t)n * (size_t)kind) == 0;
    if (kind == PyUnicode_2BYTE_KIND && wkind == PyUnicode_1BYTE_KIND) {
        /* The common mixed case: an ASCII token of a text with curly quotes. */
        const Py_UCS2 *t = (const Py_UCS2 *)data + a;
        const Py_UCS1 *w = (const Py_UCS1 *)wdata;
        for (Py_ssize_t i = 0; i < n; i++)
            if (t[i] != w[i])
                return 0;
        return 1;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyUnicode_READ(kind, data, a + i) != PyUnicode_READ(wkind, wdata, i))
            return 0;
    return 1;
}

static int interner_grow(Interner *self)
{
    Py_ssize_t cap = self->capacity * 2;
    if (cap > PY_SSIZE_T_MAX / 16) {
        PyErr_NoMemory();
        return -1;
    }
    int64_t *slots = PyMem_Malloc((size_t)cap * sizeof(int64_t));
    uint64_t *hashes = PyMem_Malloc((size_t)cap * sizeof(uint64_t));
    if (!slots || !hashes) {
        PyMem_Free(slots);
        PyMem_Free(hashes);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < cap; i++)
        slots[i] = -1;
    for (Py_ssize_t i = 0; i < self->capacity; i++) {
        if (self->slots[i] < 0)
            continue;
        size_t j = (size_t)self->hashes[i] & (size_t)(cap - 1);
        while (slots[j] >= 0)
            j = (j + 1) & (size_t)(cap - 1);
        slots[j] = self->slots[i];
        hashes[j] = self->hashes[i];
    }
    PyMem_Free(self->slots);
    PyMem_Free(self->hashes);
    self->slots = slots;
    self->hashes = hashes;
    self->capacity = cap;
    return 0;
}

/* The code of text[a:b] (whose span_hash is h), adding it as a new word when unseen; -1 on
 * error. */
static int64_t intern_span(Interner *self, PyObject *text, int kind, const void *data,
                           Py_ssize_t a, Py_ssize_t b, uint64_t h)
{
    size_t mask = (size_t)(self->capacity - 1);
    size_t j = (size_t)h & mask;
    while (self->slots[j] >= 0) {
        if (self->hashes[j] == h &&
            span_equals(kind, data, a, b, PyList_GET_ITEM(self->words, self->slots[j])))
            return self->slots[j];
        j = (j + 1) & mask;
    }
    PyObject *word = PyUnicode_Substring(text, a, b);
    if (!word)
        return -1;
    int64_t code = (int64_t)PyList_GET_SIZE(self->words);
    if (PyList_Append(self->words, word) < 0) {
        Py_DECREF(word);
        return -1;
    }
    Py_DECREF(word);
    self->slots[j] = code;
    self->hashes[j] = h;
    /* Keep the load at most one half. */
    if (2 * (Py_ssize_t)(code + 1) > self->capacity && interner_grow(self) < 0)
        return -1;
    return code;
}

static PyObject *Interner_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, ":Interner", kwlist))
        return NULL;
    Interner *self = (Interner *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->capacity = 1024;
    self->words = PyList_New(0);
    self->slots = PyMem_Malloc((size_t)self->capacity * sizeof(int64_t));
    self->hashes = PyMem_Malloc((size_t)self->capacity * sizeof(uint64_t));
    if (!self->words || !self->slots || !self->hashes) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < self->capacity; i++)
        self->slots[i] = -1;
    return (PyObject *)self;
}

static void Interner_dealloc(Interner *self)
{
    vec_free(&self->rows);
    vec_free(&self->tstarts);
    vec_free(&self->tends);
    vec_free(&self->tok_ids);
    vec_free(&self->codes);
    Py_XDECREF(self->words);
    PyMem_Free(self->slots);
    PyMem_Free(self->hashes);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The tokenizer loop for one str kind (T: its code unit), hashing each token as it reads it:
 * TOKEN_PATTERN's leftmost-longest match, \w+ then any number of joiner + \w+, never reading at
 * or past the sentence end. Returns -1 on error. */
#define DEFINE_SCAN(NAME, T, KIND)                                                               \
    static int NAME(Interner *self, PyObject *text, const void *data, int64_t length,           \
                    const int64_t *starts, const int64_t *ends, Py_ssize_t n, int64_t first_row) \
    {                                                                                            \
        const T *d = (const T *)data;                                                            \
        int64_t tok_id = 0;                                                                      \
        for (Py_ssize_t k = 0; k < n; k++) {                                                     \
            /* Clamped like the regex engine clamps pos and endpos. */                           \
            int64_t a = starts[k] < 0 ? 0 : (starts[k] > length ? length : starts[k]);          \
            int64_t b = ends[k] < a ? a : (ends[k] > length ? length : ends[k]);                 \
            Py_ssize_t p = (Py_ssize_t)a, stop = (Py_ssize_t)b;                                  \
            while (p < stop) {                                                                   \
                if (!is_word(d[p])) {                                                            \
                    p++;                                                                         \
                    continue;                                                                    \
                }                                                                                \
                Py_ssize_t first = p;                                                            \
                uint64_t h = FNV_OFFSET;                                                         \
                for (;;) {                                                                       \
                    while (p < stop && is_word(d[p])) {                                          \
                        h = (h ^ (uint64_t)d[p]) * FNV_PRIME;                                    \
                        p++;                                                                     \
                    }                                                                            \
                    if (p + 1 < stop && is_joiner(d[p]) && is_word(d[p + 1])) {                  \
                        h = (h ^ (uint64_t)d[p]) * FNV_PRIME;                                    \
                        p++;                                                                     \
                    } else {                                                                     \
                        break;                                                                   \
                    }                                                                            \
                }                                                                                \
                h ^= (uint64_t)(p - first);                                                      \
                int64_t code = intern_span(self, text, KIND, data, first, p, h);                 \
                if (code < 0 || vec_push(&self->rows, first_row + (int64_t)k) < 0 ||             \
                    vec_push(&self->tstarts, (int64_t)first) < 0 ||                              \
                    vec_push(&self->tends, (int64_t)p) < 0 ||                                    \
                    vec_push(&self->tok_ids, tok_id++) < 0 || vec_push(&self->codes, code) < 0)  \
                    return -1;                                                                   \
            }                                                                                    \
        }                                                                                        \
        return 0;                                                                                \
    }

DEFINE_SCAN(scan_ucs1, Py_UCS1, PyUnicode_1BYTE_KIND)
DEFINE_SCAN(scan_ucs2, Py_UCS2, PyUnicode_2BYTE_KIND)
DEFINE_SCAN(scan_ucs4, Py_UCS4, PyUnicode_4BYTE_KIND)

/* Interner.scan(text, starts, ends, first_row) -> number of tokens: appends the tokens of every
 * sentence text[starts[k]:ends[k]], sentence by sentence, to the columns (see columns()), with
 * row first_row + k and tok_id counting from 0 in this scan. */
static PyObject *Interner_scan(Interner *self, PyObject *args)
{
    PyObject *text, *starts_obj, *ends_obj;
    long long first_row;
    if (!PyArg_ParseTuple(args, "UOOL:scan", &text, &starts_obj, &ends_obj, &first_row))
        return NULL;
    Py_buffer sv, ev;
    if (get_int64_buffer(starts_obj, &sv, "starts") < 0)
        return NULL;
    if (get_int64_buffer(ends_obj, &ev, "ends") < 0) {
        PyBuffer_Release(&sv);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n = sv.len / 8, before = self->rows.size;
    if (ev.len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "starts and ends differ in length");
        goto done;
    }
    const int64_t *starts = sv.buf, *ends = ev.buf;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    int64_t length = (int64_t)PyUnicode_GET_LENGTH(text);
    int failed;
    if (kind == PyUnicode_1BYTE_KIND)
        failed = scan_ucs1(self, text, data, length, starts, ends, n, (int64_t)first_row);
    else if (kind == PyUnicode_2BYTE_KIND)
        failed = scan_ucs2(self, text, data, length, starts, ends, n, (int64_t)first_row);
    else
        failed = scan_ucs4(self, text, data, length, starts, ends, n, (int64_t)first_row);
    if (failed) {
        /* Drop this scan's partial columns: every column has one element per whole token. */
        self->rows.size = self->tstarts.size = self->tends.size = before;
        self->tok_ids.size = self->codes.size = before;
        goto done;
    }
    result = PyLong_FromSsize_t(self->rows.size - before);
done:
    PyBuffer_Release(&sv);
    PyBuffer_Release(&ev);
    return result;
}

/* Interner.columns() -> (rows, starts, ends, tok_ids, codes): int64 buffers of every token of
 * every scan so far, handed over without a copy (the interner's columns start empty again). */
static PyObject *Interner_columns(Interner *self, PyObject *unused)
{
    (void)unused;
    vec *cols[5] = {&self->rows, &self->tstarts, &self->tends, &self->tok_ids, &self->codes};
    PyObject *result = PyTuple_New(5);
    if (!result)
        return NULL;
    for (int i = 0; i < 5; i++) {
        PyObject *column = vec_column(cols[i]);
        if (!column) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, i, column);
    }
    return result;
}

static PyObject *Interner_get_words(Interner *self, void *closure)
{
    (void)closure;
    /* A copy: the interner's own list must keep exactly the words its table codes. */
    return PyList_GetSlice(self->words, 0, PyList_GET_SIZE(self->words));
}

static PyMethodDef Interner_methods[] = {
    {"scan", (PyCFunction)Interner_scan, METH_VARARGS,
     "scan(text, starts, ends, first_row) -> count: add the tokens of each sentence "
     "text[starts[k]:ends[k]] (row first_row + k) to the columns."},
    {"columns", (PyCFunction)Interner_columns, METH_NOARGS,
     "columns() -> (rows, starts, ends, tok_ids, codes): int64 buffers of all tokens scanned "
     "(then cleared); codes index Interner.words."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Interner_getset[] = {
    {"words", (getter)Interner_get_words, NULL, "Distinct token texts, by code (a copy).",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject InternerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "analysis._native.tokenmatch.Interner",
    .tp_basicsize = sizeof(Interner),
    .tp_dealloc = (destructor)Interner_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Interner() -> tokenizer that codes each distinct token text once.",
    .tp_methods = Interner_methods,
    .tp_getset = Interner_getset,
    .tp_new = Interner_new,
};

/* ---------------------------------------------------------------- gap flags */

/* The texts of a tokens table seen as one string, their concatenation, without building it:
 * measures._TokenIndex._gap_flags reads offsets into "".join(texts), clipped to its length, so a
 * token offset beyond its own document reads on into the next (only in malformed tables). */
typedef struct {
    PyObject *texts;   /* tuple of str */
    int64_t *base;     /* base[d]: where text d starts in the concatenation; base[n]: total */
    Py_ssize_t n;
} joined_view;

static Py_UCS4 joined_char(const joined_view *v, Py_ssize_t *doc, int64_t pos)
{
    /* Callers walk forward, so the document only ever moves on. */
    while (pos >= v->base[*doc + 1])
        (*doc)++;
    PyObject *t = PyTuple_GET_ITEM(v->texts, *doc);
    return PyUnicode_READ_CHAR(t, (Py_ssize_t)(pos - v->base[*doc]));
}

/* The document holding position pos (0 <= pos < total): the last d with base[d] <= pos and a
 * non-empty text. */
static Py_ssize_t joined_doc(const joined_view *v, int64_t pos)
{
    Py_ssize_t lo = 0, hi = v->n; /* base[lo] <= pos < base[hi] */
    while (hi - lo > 1) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (v->base[mid] <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* a + b wrapping around as numpy's int64 addition does (no signed overflow: the sum is taken
 * unsigned; converting back is modulo 2^64 in GCC and Clang). */
static inline int64_t add_offset(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* gap_flags(texts, doc_codes, starts, ends, sentence_first, breaks) -> (punct_count, brk).
 * Token row r's gap is the text between the end of row r-1 and the start of row r when both lie
 * in one sentence (r > sentence_first[r]), else empty; offsets are into texts[doc_codes[r]]
 * (numpy indexing: -1 is the end of the last text) read through the concatenation, clipped.
 * punct_count: int64 bytes, n + 1 running counts of gaps holding a non-whitespace character
 * (str.isspace); brk: one 0/1 byte per row, whether the gap holds one of ``breaks``. */
static PyObject *gap_flags(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *texts_arg, *objs[4], *breaks;
    if (!PyArg_ParseTuple(args, "O!OOOOU:gap_flags", &PyList_Type, &texts_arg, &objs[0],
                          &objs[1], &objs[2], &objs[3], &breaks))
        return NULL;
    /* A private tuple of the texts: acquiring a buffer (__buffer__, Python 3.12+) or a
     * collection run by an allocation may execute Python code that changes the caller's list,
     * so neither its size nor its items may be borrowed from it. */
    PyObject *texts = list_items(texts_arg, PY_SSIZE_T_MAX);
    if (!texts)
        return NULL;
    const char *names[4] = {"doc_codes", "starts", "ends", "sentence_first"};
    Py_buffer views[4];
    int got = 0;
    PyObject *result = NULL, *counts = NULL, *brk = NULL;
    joined_view v = {texts, NULL, PyTuple_GET_SIZE(texts)};
    for (int i = 0; i < 4; i++) {
        if (get_int64_buffer(objs[i], &views[i], names[i]) < 0)
            goto done;
        got |= 1 << i;
    }
    Py_ssize_t n = views[0].len / 8;
    for (int i = 1; i < 4; i++)
        if (views[i].len / 8 != n) {
            PyErr_SetString(PyExc_ValueError, "gap_flags: arrays differ in length");
            goto done;
        }
    v.base = PyMem_Malloc(((size_t)v.n + 1) * sizeof(int64_t));
    if (!v.base) {
        PyErr_NoMemory();
        goto done;
    }
    v.base[0] = 0;
    for (Py_ssize_t d = 0; d < v.n; d++) {
        PyObject *t = PyTuple_GET_ITEM(texts, d);
        if (!PyUnicode_Check(t)) {
            PyErr_SetString(PyExc_TypeError, "gap_flags: texts must be str");
            goto done;
        }
        v.base[d + 1] = v.base[d] + (int64_t)PyUnicode_GET_LENGTH(t);
    }
    counts = PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    brk = PyBytes_FromStringAndSize(NULL, n);
    if (!counts || !brk)
        goto done;
    {
        int64_t *count = (int64_t *)PyBytes_AS_STRING(counts);
        char *b_out = PyBytes_AS_STRING(brk);
        const int64_t *codes = views[0].buf, *starts = views[1].buf, *ends = views[2].buf,
                      *sentence_first = views[3].buf;
        int bkind = PyUnicode_KIND(breaks);
        const void *bdata = PyUnicode_DATA(breaks);
        Py_ssize_t nb = PyUnicode_GET_LENGTH(breaks);
        /* Per ASCII character: bit 0 not whitespace, bit 1 a break. */
        unsigned char ascii_class[128];
        for (int c = 0; c < 128; c++)
            ascii_class[c] = !Py_UNICODE_ISSPACE((Py_UCS4)c);
        for (Py_ssize_t j = 0; j < nb; j++) {
            Py_UCS4 c = PyUnicode_READ(bkind, bdata, j);
            if (c < 128)
                ascii_class[c] |= 2;
        }
        int64_t total = v.base[v.n];
        count[0] = 0;
        for (Py_ssize_t r = 0; r < n; r++) {
            int64_t code = codes[r] < 0 ? codes[r] + v.n + 1 : codes[r];
            if (code < 0 || code > v.n) {
                PyErr_SetString(PyExc_IndexError, "gap_flags: document code out of bounds");
                goto done;
            }
            int64_t offset = v.base[code];
            int64_t stop = add_offset(starts[r], offset);
            stop = stop < 0 ? 0 : (stop > total ? total : stop);
            int64_t first = stop;
            if (r > sentence_first[r])
                first = add_offset(r > 0 ? ends[r - 1] : 0, offset);
            first = first < 0 ? 0 : (first > total ? total : first);
            int found = 0; /* bit 0: a non-space character, bit 1: a break */
            if (first < stop) {
                Py_ssize_t doc = code < v.n && first >= offset && stop <= v.base[code + 1]
                                     ? (Py_ssize_t)code : joined_doc(&v, first);
                PyObject *t = PyTuple_GET_ITEM(texts, doc);
                int kind = PyUnicode_KIND(t);
                const void *data = PyUnicode_DATA(t);
                for (int64_t pos = first; pos < stop && found != 3; pos++) {
                    Py_UCS4 c;
                    if (pos >= v.base[doc + 1]) {
                        /* Read on into the next texts (a malformed table). */
                        c = joined_char(&v, &doc, pos);
                        t = PyTuple_GET_ITEM(texts, doc);
                        kind = PyUnicode_KIND(t);
                        data = PyUnicode_DATA(t);
                    } else {
                        c = PyUnicode_READ(kind, data, (Py_ssize_t)(pos - v.base[doc]));
                    }
                    if (c < 128) {
                        found |= ascii_class[c];
                        continue;
                    }
                    if (!Py_UNICODE_ISSPACE(c))
                        found |= 1;
                    for (Py_ssize_t j = 0; j < nb; j++)
                        if (PyUnicode_READ(bkind, bdata, j) == c)
                            found |= 2;
                }
            }
            count[r + 1] = count[r] + (found & 1);
            b_out[r] = (char)((found >> 1) & 1);
        }
    }
    result = PyTuple_Pack(2, counts, brk);
done:
    Py_XDECREF(counts);
    Py_XDECREF(brk);
    PyMem_Free(v.base);
    for (int i = 0; i < 4; i++)
        if (got & (1 << i))
            PyBuffer_Release(&views[i]);
    Py_DECREF(texts);
    return result;
}

/* ---------------------------------------------------------------- token lists */

/* token_lists(starts, ends, codes, values, first, stop) -> list of lists: for each k, the tuples
 * (starts[r], ends[r], values[codes[r]]) of the rows r in first[k]:stop[k]; the Context tokens
 * of some sentences (twin of the list building in measures._TokenIndex.sentence_tokens). */
static PyObject *token_lists(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *objs[6], *values;
    if (!PyArg_ParseTuple(args, "OOOO!OO:token_lists", &objs[0], &objs[1], &objs[2],
                          &PyList_Type, &values, &objs[4], &objs[5]))
        return NULL;
    const char *names[6] = {"starts", "ends", "codes", "values", "first", "stop"};
    Py_buffer views[6];
    int got = 0;
    PyObject *result = NULL;
    for (int i = 0; i < 6; i++) {
        if (i == 3)
            continue;
        if (get_int64_buffer(objs[i], &views[i], names[i]) < 0)
            goto done;
        got |= 1 << i;
    }
    Py_ssize_t n_rows = views[0].len / 8, n = views[4].len / 8;
    if (views[1].len / 8 != n_rows || views[2].len / 8 != n_rows || views[5].len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "token_lists: arrays differ in length");
        goto done;
    }
    const int64_t *starts = views[0].buf, *ends = views[1].buf, *codes = views[2].buf;
    const int64_t *first = views[4].buf, *stop = views[5].buf;
    result = PyList_New(n);
    if (!result)
        goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        int64_t a = first[k], b = stop[k];
        if (a < 0 || b < a || b > n_rows) {
            PyErr_SetString(PyExc_IndexError, "token_lists: row range out of bounds");
            Py_CLEAR(result);
            goto done;
        }
        PyObject *list = PyList_New((Py_ssize_t)(b - a));
        if (!list) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, k, list);
        for (int64_t r = a; r < b; r++) {
            /* Sized each time: a collection triggered by the allocations below may run
             * arbitrary finalizers. */
            if (codes[r] < 0 || codes[r] >= PyList_GET_SIZE(values)) {
                PyErr_SetString(PyExc_IndexError, "token_lists: code out of bounds");
                Py_CLEAR(result);
                goto done;
            }
            PyObject *value = PyList_GET_ITEM(values, codes[r]);
            Py_INCREF(value); /* before any allocation can run a finalizer */
            PyObject *s = PyLong_FromLongLong(starts[r]), *e = PyLong_FromLongLong(ends[r]);
            PyObject *tuple = (s && e) ? PyTuple_New(3) : NULL;
            if (!tuple) {
                Py_DECREF(value);
                Py_XDECREF(s);
                Py_XDECREF(e);
                Py_CLEAR(result);
                goto done;
            }
            PyTuple_SET_ITEM(tuple, 0, s);
            PyTuple_SET_ITEM(tuple, 1, e);
            PyTuple_SET_ITEM(tuple, 2, value);
            /* A tuple of two ints and a str (or float) can never be part of a reference cycle;
             * untracked, the ~10^5 tuples built here do not make the cyclic collector traverse
             * them (CPython's collector untracks such tuples itself, but only once it has
             * traversed them). */
            if (PyUnicode_CheckExact(value) || PyFloat_CheckExact(value))
                PyObject_GC_UnTrack(tuple);
            PyList_SET_ITEM(list, (Py_ssize_t)(r - a), tuple);
        }
    }
done:
    for (int i = 0; i < 6; i++)
        if (got & (1 << i))
            PyBuffer_Release(&views[i]);
    return result;
}

/* ---------------------------------------------------------------- string columns */

/* gather_utf8(values, codes) -> (offsets, data): the buffers of an Arrow large_string array
 * holding values[codes[i]] for each i (int64 offsets, UTF-8 data); twin of taking from the
 * values' Arrow array by code. */
static PyObject *gather_utf8(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *values, *codes_obj;
    if (!PyArg_ParseTuple(args, "O!O:gather_utf8", &PyList_Type, &values, &codes_obj))
        return NULL;
    Py_buffer cv;
    if (get_int64_buffer(codes_obj, &cv, "codes") < 0)
        return NULL;
    PyObject *result = NULL, *offsets = NULL, *data = NULL;
    Py_ssize_t n = cv.len / 8, nv = PyList_GET_SIZE(values);
    const int64_t *codes = cv.buf;
    const char **utf8 = PyMem_Malloc(((size_t)nv + 1) * sizeof(char *));
    Py_ssize_t *sizes = PyMem_Malloc(((size_t)nv + 1) * sizeof(Py_ssize_t));
    if (!utf8 || !sizes) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t v = 0; v < nv; v++) {
        PyObject *value = PyList_GET_ITEM(values, v);
        if (!PyUnicode_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "gather_utf8: values must be str");
            goto done;
        }
        utf8[v] = PyUnicode_AsUTF8AndSize(value, &sizes[v]);
        if (!utf8[v])
            goto done;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (codes[i] < 0 || codes[i] >= nv) {
            PyErr_SetString(PyExc_IndexError, "gather_utf8: code out of bounds");
            goto done;
        }
        if (sizes[codes[i]] > PY_SSIZE_T_MAX - total) {
            PyErr_NoMemory();
            goto done;
        }
        total += sizes[codes[i]];
    }
    offsets = PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    data = PyBytes_FromStringAndSize(NULL, total);
    if (!offsets || !data)
        goto done;
    {
        int64_t *off = (int64_t *)PyBytes_AS_STRING(offsets);
        char *out = PyBytes_AS_STRING(data);
        int64_t at = 0;
        off[0] = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t size = sizes[codes[i]];
            memcpy(out + at, utf8[codes[i]], (size_t)size);
            at += size;
            off[i + 1] = at;
        }
    }
    result = PyTuple_Pack(2, offsets, data);
done:
    Py_XDECREF(offsets);
    Py_XDECREF(data);
    PyMem_Free(utf8);
    PyMem_Free(sizes);
    PyBuffer_Release(&cv);
    return result;
}

/* ---------------------------------------------------------------- context rules */

/* eval_rules: twin of the filter rules of analysis/rules.py (not_month, before_quantity,
 * epistemic, reporting_use, not_negated, speaker_stance) as measures._rules_hold applies them,
 * one Context per hit: there ~10k hits a run cost a Context, the sentence's token list and a
 * dozen Python calls each. Here a hit is read straight from the token rows.
 *
 * Word sets are bits of a per-code flag word that the caller builds from
 * rules.NATIVE_WORD_SETS (W_* in that order, then W_NEGATOR for rules.is_negator); the code
 * n_words stands for "" (a token outside the sentence). Anything the Python rules would read
 * differently than this code can (a missing norm, a norm that is not a str, a document text
 * that is not a str, a negative offset, which Python slicing wraps) makes the hit's answer 2:
 * "ask Python". */
enum {
    W_QUANTITY, W_ARTICLE, W_MONTH_CONTEXT, W_AND_TO, W_MONTH_AFTER, W_MODAL_DENIERS, W_WOULD,
    W_APPEAR_NEXT, W_APPEAR_PREV, W_CLAIM_NEXT, W_CLAIM_PREV, W_NOT_EPISTEMIC_WOULD, W_HABITUAL,
    W_REPORT_BEFORE_WOULD, W_FIRST_PERSON, W_ADVERB_SKIP, W_BE, W_ACCORDING_NON_SOURCE,
    W_ACCORDING_DETERMINERS, W_ACCORDING_NON_SOURCE_AFTER_DET, W_NOT_A_REPORT_BEFORE, W_CAN,
    W_REPORT_PAST, W_SAID_ADJECTIVE_AFTER, W_CLAUSE_OPENERS, W_NOUN_HOMOGRAPHS, W_DETERMINERS,
    W_SUBJECT_OR_AUX, W_BARE_ARTICLES, W_ACCORDING, W_TOLD, W_ALL, W_TO, W_NOT, W_SAID, W_OF,
    W_NEGATOR, W_COUNT
};

/* Rule bits (rules.NATIVE_RULES order) and character sets (rules.NATIVE_CHARACTER_SETS). */
enum { R_NOT_MONTH, R_BEFORE_QUANTITY, R_EPISTEMIC, R_REPORTING_USE, R_NOT_NEGATED,
       R_SPEAKER_STANCE, R_COUNT };
enum { C_NEGATION_BREAKS, C_SENTENCE_BREAKS, C_SUBJECT_BREAKS, C_REPORT_PUNCT, C_CURRENCY,
       C_COUNT };

typedef struct {
    /* the whole run */
    PyObject *words, *charsets[C_COUNT];
    Py_ssize_t n_words;
    const int64_t *flags, *codes, *starts, *ends;
    /* the hit: its document text, sentence rows sf:sf+n, hit tokens i:j of the sentence */
    int kind;
    const void *data;
    Py_ssize_t len;
    int64_t sf, n, i, j;
    int python; /* set when the hit needs the Python rules */
} rule_ctx;

/* The code of token k of the sentence (Context.norm); n_words for "" outside it. */
static int64_t rc_norm(rule_ctx *c, int64_t k)
{
    if (k < 0 || k >= c->n)
        return c->n_words;
    int64_t code = c->codes[c->sf + k];
    if (code < 0 || code >= c->n_words) {
        c->python = 1; /* a missing norm (NaN) */
        return c->n_words;
    }
    return code;
}

static inline int rc_in(rule_ctx *c, int64_t code, int set)
{
    return (int)(((uint64_t)c->flags[code] >> set) & 1);
}

/* The str of a code (NULL for ""), or NULL with c->python set when it is not a str. */
static PyObject *rc_word(rule_ctx *c, int64_t code)
{
    if (code >= c->n_words)
        return NULL;
    PyObject *w = PyTuple_GET_ITEM(c->words, code);
    if (!PyUnicode_Check(w)) {
        c->python = 1;
        return NULL;
    }
    return w;
}

/* First character of a code's word; 0 when the word is empty. */
static int rc_first(rule_ctx *c, int64_t code, Py_UCS4 *ch)
{
    PyObject *w = rc_word(c, code);
    if (!w || PyUnicode_GET_LENGTH(w) == 0)
        return 0;
    *ch = PyUnicode_READ_CHAR(w, 0);
    return 1;
}

/* Whether a code's word ends (end=1) or starts (end=0) with the ASCII string s. */
static int rc_affix(rule_ctx *c, int64_t code, const char *s, int end)
{
    PyObject *w = rc_word(c, code);
    if (!w)
        return 0;
    Py_ssize_t m = (Py_ssize_t)strlen(s), len = PyUnicode_GET_LENGTH(w);
    if (len < m)
        return 0;
    int kind = PyUnicode_KIND(w);
    const void *data = PyUnicode_DATA(w);
    Py_ssize_t at = end ? len - m : 0;
    for (Py_ssize_t k = 0; k < m; k++)
        if (PyUnicode_READ(kind, data, at + k) != (Py_UCS4)(unsigned char)s[k])
            return 0;
    return 1;
}

/* text[a:b] as Python slices it, for a >= 0 and b >= 0 (else c->python): clamped to the text. */
static void rc_slice(rule_ctx *c, int64_t a, int64_t b, Py_ssize_t *lo, Py_ssize_t *hi)
{
    if (a < 0 || b < 0) {
        c->python = 1;
        a = b = 0;
    }
    if (a > c->len)
        a = c->len;
    if (b > c->len)
        b = c->len;
    *lo = (Py_ssize_t)a;
    *hi = b > a ? (Py_ssize_t)b : (Py_ssize_t)a;
}

static int rc_char_in(rule_ctx *c, Py_UCS4 ch, int set)
{
    PyObject *s = c->charsets[set];
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t k = 0; k < PyUnicode_GET_LENGTH(s); k++)
        if (PyUnicode_READ(kind, data, k) == ch)
            return 1;
    return 0;
}

/* Whether Context.gap_before(k) holds a character of the set. */
static int rc_gap_has(rule_ctx *c, int64_t k, int set)
{
    if (k <= 0 || k >= c->n)
        return 0;
    Py_ssize_t lo, hi;
    rc_slice(c, c->ends[c->sf + k - 1], c->starts[c->sf + k], &lo, &hi);
    for (Py_ssize_t p = lo; p < hi; p++)
        if (rc_char_in(c, PyUnicode_READ(c->kind, c->data, p), set))
            return 1;
    return 0;
}

/* The first character of Context.after(chars).lstrip() (0 when there is none). */
static int rc_after_first(rule_ctx *c, int64_t chars, Py_UCS4 *ch)
{
    int64_t end = c->ends[c->sf + c->j - 1];
    Py_ssize_t lo, hi;
    rc_slice(c, end, end >= 0 && end <= INT64_MAX - chars ? end + chars : end, &lo, &hi);
    for (Py_ssize_t p = lo; p < hi; p++) {
        Py_UCS4 x = PyUnicode_READ(c->kind, c->data, p);
        if (!Py_UNICODE_ISSPACE(x)) {
            *ch = x;
            return 1;
        }
    }
    return 0;
}

/* Context.surface(k) as a span of the text (empty outside the sentence). */
static void rc_surface(rule_ctx *c, int64_t k, Py_ssize_t *lo, Py_ssize_t *hi)
{
    if (k < 0 || k >= c->n) {
        *lo = *hi = 0;
        return;
    }
    rc_slice(c, c->starts[c->sf + k], c->ends[c->sf + k], lo, hi);
}

/* surface[:1].isupper() */
static int rc_first_upper(rule_ctx *c, Py_ssize_t lo, Py_ssize_t hi)
{
    return hi > lo && Py_UNICODE_ISUPPER(PyUnicode_READ(c->kind, c->data, lo));
}

/* surface.isupper(), as CPython's str.isupper. */
static int rc_isupper(rule_ctx *c, Py_ssize_t lo, Py_ssize_t hi)
{
    if (hi - lo == 1)
        return Py_UNICODE_ISUPPER(PyUnicode_READ(c->kind, c->data, lo)) != 0;
    int cased = 0;
    for (Py_ssize_t p = lo; p < hi; p++) {
        Py_UCS4 x = PyUnicode_READ(c->kind, c->data, p);
        if (Py_UNICODE_ISLOWER(x) || Py_UNICODE_ISTITLE(x))
            return 0;
        if (!cased && Py_UNICODE_ISUPPER(x))
            cased = 1;
    }
    return cased;
}

/* rules._is_quantity */
static int rc_quantity(rule_ctx *c, int64_t code)
{
    Py_UCS4 ch;
    if (!rc_first(c, code, &ch))
        return 0;
    return Py_UNICODE_ISDIGIT(ch) || rc_in(c, code, W_QUANTITY);
}

/* rules.is_negated */
static int rc_negated(rule_ctx *c)
{
    for (int64_t k = c->i - 1; k >= 0 && k >= c->i - 3; k--) {
        if (rc_gap_has(c, k + 1, C_NEGATION_BREAKS))
            return 0;
        if (rc_in(c, rc_norm(c, k), W_NEGATOR))
            return 1;
    }
    return 0;
}

/* rules._subject, as a code */
static int64_t rc_subject(rule_ctx *c)
{
    for (int64_t k = c->i - 1; k >= 0 && k >= c->i - 4; k--) {
        if (rc_gap_has(c, k + 1, C_SUBJECT_BREAKS))
            return c->n_words;
        int64_t code = rc_norm(c, k);
        if (!rc_in(c, code, W_ADVERB_SKIP))
            return code;
    }
    return c->n_words;
}

static int rule_before_quantity(rule_ctx *c)
{
    Py_UCS4 ch;
    if (rc_after_first(c, 3, &ch) && rc_char_in(c, ch, C_CURRENCY))
        return 1;
    int64_t nxt = rc_norm(c, c->j);
    if (rc_quantity(c, nxt))
        return 1;
    int64_t after = rc_norm(c, c->j + 1);
    return rc_in(c, nxt, W_ARTICLE) && rc_quantity(c, after) && rc_first(c, after, &ch) &&
           Py_UNICODE_ISALPHA(ch);
}

static int rule_not_month(rule_ctx *c)
{
    Py_ssize_t lo, hi;
    rc_surface(c, c->i, &lo, &hi);
    int64_t nxt = rc_norm(c, c->j), prev = rc_norm(c, c->i - 1);
    if (rc_first_upper(c, lo, hi)) {
        if (!(rc_isupper(c, lo, hi) && hi - lo > 1))
            return 0;
        return !(rc_quantity(c, nxt) || rc_in(c, prev, W_MONTH_CONTEXT));
    }
    Py_UCS4 ch;
    int digit = rc_first(c, nxt, &ch) && Py_UNICODE_ISDIGIT(ch);
    return !(digit || (rc_in(c, prev, W_MONTH_CONTEXT) && !rc_in(c, prev, W_AND_TO) &&
                       rc_in(c, nxt, W_MONTH_AFTER)));
}

static int rule_not_negated(rule_ctx *c)
{
    return !rc_in(c, rc_norm(c, c->j), W_MODAL_DENIERS) && !rc_negated(c);
}

static int rule_epistemic(rule_ctx *c)
{
    int64_t word = rc_norm(c, c->i);
    if (rc_in(c, word, W_WOULD)) {
        int64_t nxt = rc_norm(c, c->j);
        if (rc_in(c, nxt, W_NOT_EPISTEMIC_WOULD) || rc_in(c, nxt, W_HABITUAL))
            return 0;
        for (int64_t k = c->i - 1; k >= 0; k--) {
            if (rc_in(c, rc_norm(c, k), W_REPORT_BEFORE_WOULD))
                return 0;
            if (rc_gap_has(c, k + 1, C_SENTENCE_BREAKS))
                break;
        }
        return 1;
    }
    if (rc_affix(c, word, "appear", 0))
        return rc_in(c, rc_norm(c, c->j), W_APPEAR_NEXT) ||
               rc_in(c, rc_norm(c, c->i - 1), W_APPEAR_PREV);
    if (rc_affix(c, word, "claim", 0))
        return rc_in(c, rc_norm(c, c->j), W_CLAIM_NEXT) ||
               rc_in(c, rc_norm(c, c->i - 1), W_CLAIM_PREV);
    return 1;
}

static int rule_speaker_stance(rule_ctx *c)
{
    int64_t subject = rc_subject(c);
    if (rc_in(c, subject, W_FIRST_PERSON))
        return 1;
    int64_t word = rc_norm(c, c->i);
    return rc_in(c, subject, W_BE) && (rc_affix(c, word, "ed", 1) || rc_affix(c, word, "ght", 1));
}

static int rule_reporting_use(rule_ctx *c)
{
    int64_t word = rc_norm(c, c->i), prev = rc_norm(c, c->i - 1);
    int initial = c->i == 0;
    Py_ssize_t lo, hi;
    rc_surface(c, c->i, &lo, &hi);
    if (rc_first_upper(c, lo, hi) && !initial && !rc_isupper(c, lo, hi))
        return 0;
    if (rc_in(c, word, W_ACCORDING)) {
        int64_t nxt = rc_norm(c, c->j), after = rc_norm(c, c->j + 1);
        return !(rc_in(c, nxt, W_ACCORDING_NON_SOURCE) ||
                 (rc_in(c, nxt, W_ACCORDING_DETERMINERS) &&
                  rc_in(c, after, W_ACCORDING_NON_SOURCE_AFTER_DET)));
    }
    if (rc_in(c, word, W_TOLD) && rc_in(c, prev, W_ALL))
        return 0;
    int64_t before = rc_in(c, prev, W_TO) ? rc_norm(c, c->i - 2) : prev;
    if (rc_in(c, before, W_NOT_A_REPORT_BEFORE) ||
        (rc_in(c, prev, W_NOT) && rc_in(c, rc_norm(c, c->i - 2), W_CAN)))
        return 0;
    if (!rc_affix(c, word, "ed", 1) && !rc_in(c, word, W_REPORT_PAST) &&
        rc_in(c, rc_subject(c), W_FIRST_PERSON))
        return 0;
    Py_UCS4 ch;
    if (rc_in(c, word, W_SAID)) {
        int punct = rc_after_first(c, 2, &ch) && rc_char_in(c, ch, C_REPORT_PUNCT);
        return !rc_in(c, prev, W_SAID_ADJECTIVE_AFTER) &&
               !(initial && !rc_in(c, rc_norm(c, c->j), W_CLAUSE_OPENERS) && !punct);
    }
    if (rc_in(c, word, W_NOUN_HOMOGRAPHS)) {
        if (rc_in(c, prev, W_DETERMINERS))
            return 0;
        int64_t nxt = rc_norm(c, c->j);
        int punct = rc_after_first(c, 3, &ch) && rc_char_in(c, ch, C_REPORT_PUNCT);
        if (rc_in(c, nxt, W_OF))
            return 0;
        if (rc_in(c, prev, W_SUBJECT_OR_AUX) || rc_in(c, nxt, W_CLAUSE_OPENERS) || punct)
            return 1;
        rc_surface(c, c->i - 1, &lo, &hi);
        return rc_first_upper(c, lo, hi) && c->i - 1 > 0;
    }
    if (rc_in(c, prev, W_BARE_ARTICLES))
        return 0;
    return 1;
}

static int (*const rule_functions[R_COUNT])(rule_ctx *) = {
    rule_not_month, rule_before_quantity, rule_epistemic, rule_reporting_use, rule_not_negated,
    rule_speaker_stance};

/* eval_rules(texts, words, charsets, n_flags, flags, codes, starts, ends, doc, first, stop,
 * sentence_first, sentence_stop, rules) -> bytes, one per hit: 1 all its rules keep it, 0 one
 * drops it, 2 the Python rules must decide. Hit k is rows first[k]:stop[k] of the sentence
 * rows sentence_first[k]:sentence_stop[k] of document texts[doc[k]]; rules[k] holds bit r for
 * each rule R_* to apply, or is negative (Python decides). flags has one element per code,
 * len(words) + 1 of them; n_flags must be W_COUNT (the tables agree). */
static PyObject *eval_rules(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *texts, *words, *charsets, *objs[10];
    int n_flags, own_texts = 0;  /* texts becomes a private copy of the caller's list */
    if (!PyArg_ParseTuple(args, "O!O!O!iOOOOOOOOOO:eval_rules", &PyList_Type, &texts,
                          &PyList_Type, &words, &PyTuple_Type, &charsets, &n_flags, &objs[0],
                          &objs[1], &objs[2], &objs[3], &objs[4], &objs[5], &objs[6], &objs[7],
                          &objs[8], &objs[9]))
        return NULL;
    if (n_flags != W_COUNT || PyTuple_GET_SIZE(charsets) != C_COUNT) {
        PyErr_SetString(PyExc_ValueError, "eval_rules: word or character sets do not match");
        return NULL;
    }
    rule_ctx c;
    memset(&c, 0, sizeof c);
    for (int k = 0; k < C_COUNT; k++) {
        c.charsets[k] = PyTuple_GET_ITEM(charsets, k);
        if (!PyUnicode_Check(c.charsets[k])) {
            PyErr_SetString(PyExc_TypeError, "eval_rules: character sets must be str");
            return NULL;
        }
    }
    const char *names[10] = {"flags", "codes", "starts", "ends", "doc", "first", "stop",
                             "sentence_first", "sentence_stop", "rules"};
    Py_buffer views[10];
    int got = 0;
    PyObject *result = NULL;
    for (int k = 0; k < 10; k++) {
        if (get_int64_buffer(objs[k], &views[k], names[k]) < 0)
            goto done;
        got |= 1 << k;
    }
    /* A private copy: the size and items must not be borrowed from a list that Python code
     * could change while the rules run. */
    c.words = list_items(words, PY_SSIZE_T_MAX);
    if (c.words == NULL || (texts = list_items(texts, PY_SSIZE_T_MAX)) == NULL)
        goto done;
    own_texts = 1;
    c.n_words = PyTuple_GET_SIZE(c.words);
    Py_ssize_t n_rows = views[1].len / 8, n = views[4].len / 8;
    if (views[0].len / 8 != c.n_words + 1 || views[2].len / 8 != n_rows ||
        views[3].len / 8 != n_rows) {
        PyErr_SetString(PyExc_ValueError, "eval_rules: token arrays differ in length");
        goto done;
    }
    for (int k = 5; k < 10; k++)
        if (views[k].len / 8 != n) {
            PyErr_SetString(PyExc_ValueError, "eval_rules: hit arrays differ in length");
            goto done;
        }
    c.flags = views[0].buf;
    c.codes = views[1].buf;
    c.starts = views[2].buf;
    c.ends = views[3].buf;
    const int64_t *doc = views[4].buf, *first = views[5].buf, *stop = views[6].buf;
    const int64_t *sfirst = views[7].buf, *sstop = views[8].buf, *rules = views[9].buf;
    result = PyBytes_FromStringAndSize(NULL, n);
    if (!result)
        goto done;
    char *out = PyBytes_AS_STRING(result);
    /* No Python code runs below (no allocation, no comparison calls): the lists cannot change. */
    for (Py_ssize_t h = 0; h < n; h++) {
        out[h] = 2;
        if (rules[h] < 0 || doc[h] < 0 || doc[h] >= PyTuple_GET_SIZE(texts) || sfirst[h] < 0 ||
            sfirst[h] > first[h] || first[h] >= stop[h] || stop[h] > sstop[h] ||
            sstop[h] > n_rows)
            continue;
        PyObject *text = PyTuple_GET_ITEM(texts, doc[h]);
        if (!PyUnicode_Check(text))
            continue;
        c.kind = PyUnicode_KIND(text);
        c.data = PyUnicode_DATA(text);
        c.len = PyUnicode_GET_LENGTH(text);
        c.sf = sfirst[h];
        c.n = sstop[h] - sfirst[h];
        c.i = first[h] - sfirst[h];
        c.j = stop[h] - sfirst[h];
        c.python = 0;
        /* Every rule runs (no short cut at the first that drops the hit), so that one that met
         * something only Python reads alike leaves the answer to Python whatever the order. */
        int keep = 1;
        for (int r = 0; r < R_COUNT; r++)
            if ((rules[h] >> r) & 1)
                keep &= rule_functions[r](&c);
        if (!c.python)
            out[h] = (char)keep;
    }
done:
    Py_XDECREF(c.words);
    if (own_texts)
        Py_DECREF(texts);
    for (int k = 0; k < 10; k++)
        if (got & (1 << k))
            PyBuffer_Release(&views[k]);
    return result;
}

/* ---------------------------------------------------------------- text slices */

/* Bytes of a code point in UTF-8; 0 for a surrogate, which UTF-8 cannot hold. */
static inline int utf8_size(Py_UCS4 ch)
{
    if (ch < 0x80)
        return 1;
    if (ch < 0x800)
        return 2;
    if (ch >= 0xD800 && ch <= 0xDFFF)
        return 0;
    return ch < 0x10000 ? 3 : 4;
}

static inline char *utf8_put(char *out, Py_UCS4 ch)
{
    if (ch < 0x80) {
        *out++ = (char)ch;
    } else if (ch < 0x800) {
        *out++ = (char)(0xC0 | (ch >> 6));
        *out++ = (char)(0x80 | (ch & 0x3F));
    } else if (ch < 0x10000) {
        *out++ = (char)(0xE0 | (ch >> 12));
        *out++ = (char)(0x80 | ((ch >> 6) & 0x3F));
        *out++ = (char)(0x80 | (ch & 0x3F));
    } else {
        *out++ = (char)(0xF0 | (ch >> 18));
        *out++ = (char)(0x80 | ((ch >> 12) & 0x3F));
        *out++ = (char)(0x80 | ((ch >> 6) & 0x3F));
        *out++ = (char)(0x80 | (ch & 0x3F));
    }
    return out;
}

/* slices_utf8(texts, doc, start, end) -> (offsets, data) or None: the buffers of an Arrow
 * large_string array holding texts[doc[k]][start[k]:end[k]] for each k (twin of the list of
 * slices that measures._hits_frame makes for the matched column). None when a slice is not
 * one this code can take alike: a text that is not a str, a negative offset (Python slices
 * wrap it), a surrogate (UTF-8 cannot hold it). */
static PyObject *slices_utf8(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *text_list, *objs[3];
    if (!PyArg_ParseTuple(args, "O!OOO:slices_utf8", &PyList_Type, &text_list, &objs[0],
                          &objs[1], &objs[2]))
        return NULL;
    /* A tuple of the texts: the allocations between the two passes may run finalizers, and
     * nothing can change a tuple. */
    PyObject *texts = list_items(text_list, PY_SSIZE_T_MAX);
    if (!texts)
        return NULL;
    const char *names[3] = {"doc", "start", "end"};
    Py_buffer views[3];
    int got = 0;
    PyObject *result = NULL, *offsets = NULL, *data = NULL;
    for (int k = 0; k < 3; k++) {
        if (get_int64_buffer(objs[k], &views[k], names[k]) < 0)
            goto done;
        got |= 1 << k;
    }
    Py_ssize_t n = views[0].len / 8;
    if (views[1].len / 8 != n || views[2].len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "slices_utf8: arrays differ in length");
        goto done;
    }
    const int64_t *doc = views[0].buf, *start = views[1].buf, *end = views[2].buf;
    /* First pass: check every slice and size the data. */
    Py_ssize_t total = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (doc[k] < 0 || doc[k] >= PyTuple_GET_SIZE(texts) || start[k] < 0 || end[k] < 0)
            goto unsupported;
        PyObject *text = PyTuple_GET_ITEM(texts, doc[k]);
        if (!PyUnicode_Check(text))
            goto unsupported;
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        Py_ssize_t a = start[k] < len ? (Py_ssize_t)start[k] : len;
        Py_ssize_t b = end[k] < len ? (Py_ssize_t)end[k] : len;
        int kind = PyUnicode_KIND(text);
        const void *chars = PyUnicode_DATA(text);
        for (Py_ssize_t p = a; p < b; p++) {
            int size = utf8_size(PyUnicode_READ(kind, chars, p));
            if (!size)
                goto unsupported;
            if (total > PY_SSIZE_T_MAX - 4) {
                PyErr_NoMemory();
                goto done;
            }
            total += size;
        }
    }
    if (n > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(int64_t) - 1) {
        PyErr_NoMemory();
        goto done;
    }
    offsets = PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    data = PyBytes_FromStringAndSize(NULL, total);
    if (!offsets || !data)
        goto done;
    {
        /* The texts are those of the first pass (a tuple, holding them). The index arrays are
         * the caller's and writable: nothing runs between the passes that could change them
         * today, but each slice is bounded again so that a change could never write past
         * data. */
        int64_t *off = (int64_t *)PyBytes_AS_STRING(offsets);
        char *base = PyBytes_AS_STRING(data), *out = base;
        off[0] = 0;
        for (Py_ssize_t k = 0; k < n; k++) {
            if (doc[k] < 0 || doc[k] >= PyTuple_GET_SIZE(texts) || start[k] < 0 || end[k] < 0)
                goto changed;
            PyObject *text = PyTuple_GET_ITEM(texts, doc[k]);
            Py_ssize_t len = PyUnicode_GET_LENGTH(text);
            Py_ssize_t a = start[k] < len ? (Py_ssize_t)start[k] : len;
            Py_ssize_t b = end[k] < len ? (Py_ssize_t)end[k] : len;
            int kind = PyUnicode_KIND(text);
            const void *chars = PyUnicode_DATA(text);
            for (Py_ssize_t p = a; p < b; p++) {
                Py_UCS4 ch = PyUnicode_READ(kind, chars, p);
                int size = utf8_size(ch);
                if (!size || size > total - (out - base))
                    goto changed;
                out = utf8_put(out, ch);
            }
            off[k + 1] = (int64_t)(out - base);
        }
        if (out - base != total)
            goto changed;
    }
    result = PyTuple_Pack(2, offsets, data);
    goto done;
changed:
    PyErr_SetString(PyExc_RuntimeError, "slices_utf8: arrays changed while read");
    goto done;
unsupported:
    result = Py_None;
    Py_INCREF(result);
done:
    Py_XDECREF(offsets);
    Py_XDECREF(data);
    Py_DECREF(texts);
    for (int k = 0; k < 3; k++)
        if (got & (1 << k))
            PyBuffer_Release(&views[k]);
    return result;
}

/* ---------------------------------------------------------------- factorizing Arrow strings */

/* factorize_utf8(offsets, data) -> (codes, uniques): the strings data[offsets[k]:offsets[k+1]]
 * (UTF-8, the buffers of an Arrow large_string array without nulls) numbered by first
 * appearance, as int64 codes (a bytes buffer) and the list of the distinct strings; twin of
 * pandas.factorize on such a column (measures._factorize). A row equal to the row before gets
 * its code without a hash (tokens come document by document, sentence by sentence). */
static uint64_t utf8_hash(const unsigned char *p, size_t len)
{
    uint64_t h = FNV_OFFSET;
    for (size_t b = 0; b < len; b++)
        h = (h ^ p[b]) * FNV_PRIME;
    return h ^ (h >> 29);
}

static PyObject *factorize_utf8(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *offsets_obj, *data_obj;
    if (!PyArg_ParseTuple(args, "OO:factorize_utf8", &offsets_obj, &data_obj))
        return NULL;
    Py_buffer ov, dv;
    if (get_int64_buffer(offsets_obj, &ov, "offsets") < 0)
        return NULL;
    if (PyObject_GetBuffer(data_obj, &dv, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&ov);
        return NULL;
    }
    PyObject *result = NULL, *uniques = NULL, *codes_out = NULL;
    int64_t *slots = NULL, *first_row = NULL;
    Py_ssize_t n = ov.len / 8 - 1, n_uniques = 0, capacity = 1024;
    const int64_t *off = ov.buf;
    const unsigned char *data = dv.buf;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "factorize_utf8: no offsets");
        goto done;
    }
    slots = PyMem_Malloc((size_t)capacity * sizeof(int64_t));
    first_row = PyMem_Malloc(((size_t)n + 1) * sizeof(int64_t));
    codes_out = PyBytes_FromStringAndSize(NULL, (n ? n : 1) * (Py_ssize_t)sizeof(int64_t));
    uniques = PyList_New(0);
    if (!slots || !first_row) {
        PyErr_NoMemory();
        goto done;
    }
    if (!codes_out || !uniques)
        goto done;
    /* Checked after the allocations: a collection they start may run a finalizer that writes
     * into a writable offsets array; nothing from here on runs Python code. */
    for (Py_ssize_t k = 0; k <= n; k++)
        if (off[k] < 0 || off[k] > dv.len || (k && off[k] < off[k - 1])) {
            PyErr_SetString(PyExc_ValueError, "factorize_utf8: offsets out of bounds");
            goto done;
        }
    for (Py_ssize_t s = 0; s < capacity; s++)
        slots[s] = -1;
    int64_t *codes = (int64_t *)PyBytes_AS_STRING(codes_out);
    for (Py_ssize_t k = 0; k < n; k++) {
        const unsigned char *p = data + off[k];
        size_t len = (size_t)(off[k + 1] - off[k]);
        if (k && (size_t)(off[k] - off[k - 1]) == len && memcmp(p, data + off[k - 1], len) == 0) {
            codes[k] = codes[k - 1];
            continue;
        }
        if (2 * n_uniques >= capacity) {
            /* Grown with the distinct strings (not sized by the rows), so the table stays in
             * cache. */
            if (capacity > PY_SSIZE_T_MAX / 32) {
                PyErr_NoMemory();
                goto done;
            }
            Py_ssize_t grown = capacity * 2;
            int64_t *more = PyMem_Malloc((size_t)grown * sizeof(int64_t));
            if (!more) {
                PyErr_NoMemory();
                goto done;
            }
            for (Py_ssize_t t = 0; t < grown; t++)
                more[t] = -1;
            for (int64_t c = 0; c < n_uniques; c++) {
                int64_t r = first_row[c];
                uint64_t hc = utf8_hash(data + off[r], (size_t)(off[r + 1] - off[r]));
                Py_ssize_t t = (Py_ssize_t)(hc & (uint64_t)(grown - 1));
                while (more[t] >= 0)
                    t = (t + 1) & (grown - 1);
                more[t] = c;
            }
            PyMem_Free(slots);
            slots = more;
            capacity = grown;
        }
        uint64_t h = utf8_hash(p, len);
        Py_ssize_t s = (Py_ssize_t)(h & (uint64_t)(capacity - 1));
        int64_t code;
        for (;;) {
            code = slots[s];
            if (code < 0) {
                PyObject *word = PyUnicode_DecodeUTF8((const char *)p, (Py_ssize_t)len, "strict");
                if (!word)
                    goto done;
                int failed = PyList_Append(uniques, word);
                Py_DECREF(word);
                if (failed)
                    goto done;
                first_row[n_uniques] = k;
                code = slots[s] = n_uniques++;
                break;
            }
            int64_t r = first_row[code];
            if ((size_t)(off[r + 1] - off[r]) == len && memcmp(data + off[r], p, len) == 0)
                break;
            s = (s + 1) & (capacity - 1);
        }
        codes[k] = code;
    }
    if (n == 0)
        result = Py_BuildValue("(y#O)", "", (Py_ssize_t)0, uniques);
    else
        result = PyTuple_Pack(2, codes_out, uniques);
done:
    Py_XDECREF(codes_out);
    Py_XDECREF(uniques);
    PyMem_Free(slots);
    PyMem_Free(first_row);
    PyBuffer_Release(&ov);
    PyBuffer_Release(&dv);
    return result;
}

/* ---------------------------------------------------------------- lexicon forms */

/* Whether key is in the sorted int64 array keys[0:n] (binary search). */
static int sorted_has(const int64_t *keys, Py_ssize_t n, int64_t key)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo] == key;
}

/* match_forms(codes, sentence_stop, punct_count, count, offset, flat, length, followers, width)
 * -> (rows, forms): every (token row, form id) where the whole form matches, in row order and,
 * within a row, in flat's order; twin of the candidate pairs and word checks of
 * measures._lexicon_hits (numpy over all candidate pairs).
 *
 * Forms flat[offset[c]:offset[c]+count[c]] start at a token of code c; form f has length[f]
 * words and its word k (k >= 1) accepts the codes x with f * width + x in the sorted array
 * followers[k - 1]; a form of several words must fit in the sentence (row + length <=
 * sentence_stop[row]) and jump no punctuation (punct_count[row + length] ==
 * punct_count[row + 1]). rows and forms are int64 buffers. */
static PyObject *match_forms(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *objs[7], *followers;
    long long width_arg;
    if (!PyArg_ParseTuple(args, "OOOOOOOO!L:match_forms", &objs[0], &objs[1], &objs[2],
                          &objs[3], &objs[4], &objs[5], &objs[6], &PyTuple_Type, &followers,
                          &width_arg))
        return NULL;
    const char *names[7] = {"codes", "sentence_stop", "punct_count", "count", "offset", "flat",
                            "length"};
    Py_buffer views[7], *fviews = NULL;
    Py_ssize_t n_followers = PyTuple_GET_SIZE(followers), got_followers = 0;
    int got = 0;
    PyObject *result = NULL, *rows_col = NULL, *forms_col = NULL;
    vec rows = {NULL, 0, 0}, forms = {NULL, 0, 0};
    unsigned char *starts_form = NULL, *accepts = NULL;
    for (int k = 0; k < 7; k++) {
        if (get_int64_buffer(objs[k], &views[k], names[k]) < 0)
            goto done;
        got |= 1 << k;
    }
    fviews = PyMem_Malloc(((size_t)n_followers + 1) * sizeof(Py_buffer));
    if (!fviews) {
        PyErr_NoMemory();
        goto done;
    }
    for (; got_followers < n_followers; got_followers++)
        if (get_int64_buffer(PyTuple_GET_ITEM(followers, got_followers),
                             &fviews[got_followers], "followers") < 0)
            goto done;
    Py_ssize_t n_rows = views[0].len / 8, n_codes = views[3].len / 8, n_flat = views[5].len / 8;
    Py_ssize_t n_forms = views[6].len / 8;
    if (views[1].len / 8 != n_rows || views[2].len / 8 != n_rows + 1 ||
        views[4].len / 8 != n_codes) {
        PyErr_SetString(PyExc_ValueError, "match_forms: arrays differ in length");
        goto done;
    }
    const int64_t *codes = views[0].buf, *sstop = views[1].buf, *punct = views[2].buf;
    const int64_t *count = views[3].buf, *offset = views[4].buf, *flat = views[5].buf;
    const int64_t *length = views[6].buf;
    int64_t width = (int64_t)width_arg;
    /* One byte per code, whether any form starts there: a table small enough for the first
     * level cache, read once per token (most tokens start no form). */
    starts_form = PyMem_Malloc(n_codes ? (size_t)n_codes : 1);
    if (!starts_form) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < n_codes; c++) {
        if (count[c] < 0 || offset[c] < 0 || offset[c] > n_flat || count[c] > n_flat - offset[c]) {
            PyErr_SetString(PyExc_IndexError, "match_forms: candidate table out of bounds");
            goto done;
        }
        starts_form[c] = count[c] > 0;
    }
    /* Per word k >= 1, one byte per code: whether any form accepts it there (the follower keys
     * are form * width + code); most candidates fail on their second word, here, without a
     * search. */
    if (width <= 0 || width > INT64_MAX / ((int64_t)n_forms + 1) ||
        (n_followers && (size_t)n_codes > SIZE_MAX / (size_t)n_followers)) {
        PyErr_SetString(PyExc_ValueError, "match_forms: bad width");
        goto done;
    }
    accepts = PyMem_Calloc(n_followers && n_codes ? (size_t)n_followers * (size_t)n_codes : 1, 1);
    if (!accepts) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n_followers; k++) {
        const int64_t *keys = fviews[k].buf;
        for (Py_ssize_t e = 0; e < fviews[k].len / 8; e++) {
            int64_t code = keys[e] >= 0 ? keys[e] % width : -1;
            if (code >= 0 && code < n_codes)
                accepts[(size_t)k * (size_t)n_codes + (size_t)code] = 1;
        }
    }
    for (Py_ssize_t k = 0; k < n_flat; k++)
        if (flat[k] < 0 || flat[k] >= n_forms || length[flat[k]] < 1 ||
            length[flat[k]] > n_followers + 1) {
            PyErr_SetString(PyExc_IndexError, "match_forms: form out of bounds");
            goto done;
        }
    for (Py_ssize_t r = 0; r < n_rows; r++) {
        int64_t code = codes[r];
        if ((uint64_t)code >= (uint64_t)n_codes) {
            PyErr_SetString(PyExc_IndexError, "match_forms: code out of bounds");
            goto done;
        }
        if (!starts_form[code])
            continue;
        for (int64_t at = offset[code]; at < offset[code] + count[code]; at++) {
            int64_t f = flat[at], len = length[f];
            if (len > 1) {
                /* row + len <= sentence_stop <= n_rows bounds the reads; the range is checked
                 * before the subtraction, which could overflow for a malformed stop */
                if (sstop[r] > n_rows || sstop[r] < r || len > sstop[r] - r)
                    continue;
                int all = 1;
                for (int64_t k = 1; k < len && all; k++) {
                    const Py_buffer *fv = &fviews[k - 1];
                    int64_t next = codes[r + k];
                    all = (uint64_t)next < (uint64_t)n_codes &&
                          accepts[(size_t)(k - 1) * (size_t)n_codes + (size_t)next] &&
                          sorted_has(fv->buf, fv->len / 8, f * width + next);
                }
                if (!all || punct[r + len] != punct[r + 1])
                    continue;
            } else if (sstop[r] <= r) {
                continue;
            }
            if (vec_push(&rows, r) < 0 || vec_push(&forms, f) < 0)
                goto done;
        }
    }
    rows_col = vec_column(&rows);
    forms_col = rows_col ? vec_column(&forms) : NULL;
    if (rows_col && forms_col)
        result = PyTuple_Pack(2, rows_col, forms_col);
done:
    Py_XDECREF(rows_col);
    Py_XDECREF(forms_col);
    vec_free(&rows);
    vec_free(&forms);
    PyMem_Free(starts_form);
    PyMem_Free(accepts);
    for (Py_ssize_t k = 0; k < got_followers; k++)
        PyBuffer_Release(&fviews[k]);
    PyMem_Free(fviews);
    for (int k = 0; k < 7; k++)
        if (got & (1 << k))
            PyBuffer_Release(&views[k]);
    return result;
}

/* ---------------------------------------------------------------- module */

static PyMethodDef module_methods[] = {
    {"gather_utf8", gather_utf8, METH_VARARGS,
     "gather_utf8(values, codes) -> (offsets, data): Arrow large_string buffers of "
     "values[codes[i]]."},
    {"token_lists", token_lists, METH_VARARGS,
     "token_lists(starts, ends, codes, values, first, stop) -> for each k the list of "
     "(starts[r], ends[r], values[codes[r]]) for r in first[k]:stop[k]."},
    {"gap_flags", gap_flags, METH_VARARGS,
     "gap_flags(texts, doc_codes, starts, ends, sentence_first, breaks) -> (punct_count, brk): "
     "running count of token gaps holding a non-space character, and per gap whether it holds "
     "one of breaks."},
    {"match_forms", match_forms, METH_VARARGS,
     "match_forms(codes, sentence_stop, punct_count, count, offset, flat, length, followers, "
     "width) -> (rows, forms): the (row, form) pairs where a whole lexicon form matches."},
    {"factorize_utf8", factorize_utf8, METH_VARARGS,
     "factorize_utf8(offsets, data) -> (codes, uniques): the UTF-8 strings of Arrow "
     "large_string buffers numbered by first appearance."},
    {"slices_utf8", slices_utf8, METH_VARARGS,
     "slices_utf8(texts, doc, start, end) -> (offsets, data) or None: Arrow large_string "
     "buffers of texts[doc[k]][start[k]:end[k]]."},
    {"eval_rules", eval_rules, METH_VARARGS,
     "eval_rules(texts, words, charsets, n_flags, flags, codes, starts, ends, doc, first, stop, "
     "sentence_first, sentence_stop, rules) -> bytes: per hit 1 keep, 0 drop, 2 ask Python "
     "(the filter rules of analysis.rules)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "tokenmatch",
    "Compiled twin of the tokenizer (analysis.tokens) and gap flags (analysis.measures).", -1,
    module_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_tokenmatch(void)
{
    init_word_table();
    if (PyType_Ready(&InternerType) < 0 || PyType_Ready(&ColumnType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&moduledef);
    if (!m)
        return NULL;
    Py_INCREF(&InternerType);
    if (PyModule_AddObject(m, "Interner", (PyObject *)&InternerType) < 0) {
        Py_DECREF(&InternerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
