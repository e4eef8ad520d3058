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
 * tests/test_native_tokenmatch.py asserts identical tables, and \w on every code point.
 *
 * Offsets and codes cross the boundary as buffers of native int64 (numpy arrays in; bytes or
 * Column buffers out, read with numpy.frombuffer).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
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
        Py_ssize_t cap = v->cap ? v->cap * 2 : 1024;
        if (cap > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(int64_t)) {
            PyErr_NoMemory();
            return -1;
        }
        int64_t *data = PyMem_Realloc(v->data, (size_t)cap * sizeof(int64_t));
        if (!data) {
            PyErr_NoMemory();
            return -1;
        }
        v->data = data;
        v->cap = cap;
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
    PyObject *texts;   /* list of str */
    int64_t *base;     /* base[d]: where text d starts in the concatenation; base[n]: total */
    Py_ssize_t n;
} joined_view;

static Py_UCS4 joined_char(const joined_view *v, Py_ssize_t *doc, int64_t pos)
{
    /* Callers walk forward, so the document only ever moves on. */
    while (pos >= v->base[*doc + 1])
        (*doc)++;
    PyObject *t = PyList_GET_ITEM(v->texts, *doc);
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
    PyObject *texts, *objs[4], *breaks;
    if (!PyArg_ParseTuple(args, "O!OOOOU:gap_flags", &PyList_Type, &texts, &objs[0], &objs[1],
                          &objs[2], &objs[3], &breaks))
        return NULL;
    const char *names[4] = {"doc_codes", "starts", "ends", "sentence_first"};
    Py_buffer views[4];
    int got = 0;
    PyObject *result = NULL, *counts = NULL, *brk = NULL;
    joined_view v = {texts, NULL, PyList_GET_SIZE(texts)};
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
        PyObject *t = PyList_GET_ITEM(texts, d);
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
                PyObject *t = PyList_GET_ITEM(texts, doc);
                int kind = PyUnicode_KIND(t);
                const void *data = PyUnicode_DATA(t);
                for (int64_t pos = first; pos < stop && found != 3; pos++) {
                    Py_UCS4 c;
                    if (pos >= v.base[doc + 1]) {
                        /* Read on into the next texts (a malformed table). */
                        c = joined_char(&v, &doc, pos);
                        t = PyList_GET_ITEM(texts, doc);
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
