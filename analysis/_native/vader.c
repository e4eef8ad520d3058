/* vader: compiled twin of analysis.vader_fast.FastVader's batch scorer (score_array), i.e. of
 * NLTK's SentimentIntensityAnalyzer.polarity_scores (nltk/sentiment/vader.py) for many str.
 *
 * The sentiment stage scores ~25k sentences of ~360k whitespace tokens; in Python most of its
 * time is per-token bookkeeping (hashing tokens, mapping punctuation, lower(), dict look-ups).
 * Here one pass per sentence splits it on whitespace (str.split(): Py_UNICODE_ISSPACE), maps
 * each token to NLTK's word with FastVader._map_token's rule, interns the words of the batch
 * (each distinct word is looked up once) and runs NLTK's rules -- booster / "kind of" skip,
 * sentiment_valence with scalar_inc_dec, _never_check, _idioms_check, _least_check, then
 * _but_check and score_valence -- with the same IEEE double operations in the same order, so
 * the unrounded neg / neu / pos / compound are the doubles NLTK passes to round(). Rounding
 * (Python's round, emulated by vader_fast._round) is left to the caller.
 *
 * Words made only of ASCII are lower-cased and tested here against byte tables built from
 * the very dict / set objects NLTK reads (ASCII keys only: an ASCII lower case can only equal
 * an ASCII key). Words holding any other character go through Python itself: str.lower,
 * str.isupper and look-ups in those same objects, so Unicode case rules are Python's own.
 *
 * Arithmetic notes. Python floats are IEEE doubles; NLTK's ints (the int 0 of non-lexicon
 * words, int idiom values, counts) are small and convert exactly, and int + float, int * float
 * and int / float in Python convert the int to double first, as written here. builtin sum()
 * over NLTK's list is a left-to-right double sum starting at +0.0 on CPython < 3.12 (ints are
 * summed exactly first, then converted); the caller only uses this module when sum() is naive.
 * Contraction of a * b + c into a fused multiply-add would change results, so it is disabled.
 *
 * The pure-Python twin (the reference) is FastVader._score_unique; tests/test_native_vader.py
 * asserts identical results to it and to NLTK.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "private_copy.h"
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* ---------------------------------------------------------------- hashing */

static inline uint64_t hash_start(uint64_t seed) { return seed ^ 0xcbf29ce484222325ULL; }
static inline uint64_t hash_step(uint64_t h, uint32_t c) { return (h ^ c) * 0x100000001b3ULL; }
static inline uint64_t hash_end(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* ---------------------------------------------------------------- ASCII byte-key tables */

typedef struct {
    uint64_t hash;
    size_t off;  /* key bytes in arena */
    size_t len;
    double value;
    int used;
} bslot;

typedef struct {
    bslot *slots;
    size_t mask;
    size_t count;
    char *arena;
    size_t used, cap;
} btab;

static uint64_t hash_bytes(uint64_t seed, const char *s, size_t len)
{
    uint64_t h = hash_start(seed);
    for (size_t k = 0; k < len; k++)
        h = hash_step(h, (unsigned char)s[k]);
    return hash_end(h);
}

static void btab_free(btab *t)
{
    PyMem_Free(t->slots);
    PyMem_Free(t->arena);
    memset(t, 0, sizeof(*t));
}

static int btab_init(btab *t, size_t n_keys)
{
    size_t cap = 16;
    memset(t, 0, sizeof(*t));
    while (cap < 2 * n_keys + 2) {
        if (cap > ((size_t)PY_SSIZE_T_MAX / sizeof(bslot)) / 4) {
            PyErr_NoMemory();
            return -1;
        }
        cap *= 2;
    }
    t->slots = PyMem_Calloc(cap, sizeof(bslot));
    if (!t->slots) {
        PyErr_NoMemory();
        return -1;
    }
    t->mask = cap - 1;
    return 0;
}

/* Set key -> value (later values win, like dict assignment). Capacity is fixed by btab_init. */
static int btab_put(btab *t, uint64_t seed, const char *key, size_t len, double value)
{
    uint64_t h = hash_bytes(seed, key, len);
    size_t pos = (size_t)h & t->mask;
    while (t->slots[pos].used) {
        bslot *s = &t->slots[pos];
        if (s->hash == h && s->len == len && memcmp(t->arena + s->off, key, len) == 0) {
            s->value = value;
            return 0;
        }
        pos = (pos + 1) & t->mask;
    }
    if (2 * (t->count + 1) > t->mask + 1) {
        PyErr_SetString(PyExc_SystemError, "vader: byte table over capacity");
        return -1;
    }
    if (len > (size_t)PY_SSIZE_T_MAX - t->used - 1) {
        PyErr_NoMemory();
        return -1;
    }
    if (t->used + len + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->used + len + 1) {
            if (cap > (size_t)PY_SSIZE_T_MAX / 2) {
                PyErr_NoMemory();
                return -1;
            }
            cap *= 2;
        }
        char *a = PyMem_Realloc(t->arena, cap);
        if (!a) {
            PyErr_NoMemory();
            return -1;
        }
        t->arena = a;
        t->cap = cap;
    }
    memcpy(t->arena + t->used, key, len);
    t->slots[pos] = (bslot){h, t->used, len, value, 1};
    t->used += len;
    t->count++;
    return 0;
}

static const bslot *btab_get(const btab *t, uint64_t h, const char *key, size_t len)
{
    size_t pos = (size_t)h & t->mask;
    while (t->slots[pos].used) {
        const bslot *s = &t->slots[pos];
        if (s->hash == h && s->len == len && memcmp(t->arena + s->off, key, len) == 0)
            return s;
        pos = (pos + 1) & t->mask;
    }
    return NULL;
}

/* ---------------------------------------------------------------- scorer (built once) */

enum { TAG_OTHER, TAG_KIND, TAG_OF, TAG_LEAST, TAG_AT, TAG_VERY, TAG_BUT };

typedef struct {
    int len;          /* 2 or 3 words */
    Py_ssize_t kw[3]; /* indices into keywords */
    double value;
} idiom_t;

typedef struct {
    btab lex, boost, negate;
    PyObject *lex_dict, *boost_dict, *negate_set; /* NLTK's objects, for non-ASCII words */
    PyObject *nt, *s_lower, *s_isupper;
    PyObject *keywords;                           /* list of str; 0..2 = never, so, this */
    idiom_t *idioms;
    Py_ssize_t n_idioms;
    Py_ssize_t (*pairs)[2];                       /* booster bigrams, keyword indices */
    Py_ssize_t n_pairs;
    char **punc;                                  /* PUNC_LIST */
    size_t *punc_len;
    Py_ssize_t n_punc;
    unsigned char is_punct[128];                  /* string.punctuation */
    double b_decr, c_incr, n_scalar, alpha;
    uint64_t seed;
} scorer;

#define CAPSULE_NAME "analysis._native.vader.scorer"

static void scorer_free(scorer *S)
{
    if (!S)
        return;
    btab_free(&S->lex);
    btab_free(&S->boost);
    btab_free(&S->negate);
    Py_XDECREF(S->lex_dict);
    Py_XDECREF(S->boost_dict);
    Py_XDECREF(S->negate_set);
    Py_XDECREF(S->nt);
    Py_XDECREF(S->s_lower);
    Py_XDECREF(S->s_isupper);
    Py_XDECREF(S->keywords);
    PyMem_Free(S->idioms);
    PyMem_Free(S->pairs);
    if (S->punc)
        for (Py_ssize_t k = 0; k < S->n_punc; k++)
            PyMem_Free(S->punc[k]);
    PyMem_Free(S->punc);
    PyMem_Free(S->punc_len);
    PyMem_Free(S);
}

static void capsule_destructor(PyObject *cap)
{
    scorer_free((scorer *)PyCapsule_GetPointer(cap, CAPSULE_NAME));
}

/* ASCII keys of a dict (values as doubles) or of any iterable (value 0) into a byte table. */
static int fill_btab(btab *t, uint64_t seed, PyObject *container, int with_values)
{
    Py_ssize_t n = PyObject_Length(container);
    if (n < 0 || btab_init(t, (size_t)n) < 0)
        return -1;
    PyObject *it = PyObject_GetIter(container), *key;
    if (!it)
        return -1;
    while ((key = PyIter_Next(it))) {
        if (!PyUnicode_Check(key)) {
            Py_DECREF(key);
            Py_DECREF(it);
            PyErr_SetString(PyExc_TypeError, "vader: keys must be str");
            return -1;
        }
        if (PyUnicode_IS_ASCII(key)) {
            double value = 0.0;
            if (with_values) {
                PyObject *v = PyObject_GetItem(container, key);
                if (!v) {
                    Py_DECREF(key);
                    Py_DECREF(it);
                    return -1;
                }
                value = PyFloat_AsDouble(v);
                Py_DECREF(v);
                if (value == -1.0 && PyErr_Occurred()) {
                    Py_DECREF(key);
                    Py_DECREF(it);
                    return -1;
                }
            }
            Py_ssize_t len;
            const char *s = PyUnicode_AsUTF8AndSize(key, &len);
            if (!s || btab_put(t, seed, s, (size_t)len, value) < 0) {
                Py_DECREF(key);
                Py_DECREF(it);
                return -1;
            }
        }
        Py_DECREF(key);
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *make(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *lex, *boost, *negate, *keywords, *idioms_arg, *pairs_arg, *punc_arg, *punctuation;
    PyObject *idioms = NULL, *pairs = NULL, *punc = NULL;
    double b_decr, c_incr, n_scalar, alpha;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "O!O!OO!O!O!O!UddddK", &PyDict_Type, &lex, &PyDict_Type,
                          &boost, &negate, &PyList_Type, &keywords, &PyList_Type, &idioms_arg,
                          &PyList_Type, &pairs_arg, &PyList_Type, &punc_arg, &punctuation,
                          &b_decr, &c_incr, &n_scalar, &alpha, &seed))
        return NULL;
    scorer *S = PyMem_Calloc(1, sizeof(scorer));
    if (!S)
        return PyErr_NoMemory();
    S->seed = seed;
    S->b_decr = b_decr;
    S->c_incr = c_incr;
    S->n_scalar = n_scalar;
    S->alpha = alpha;
    Py_INCREF(lex);
    S->lex_dict = lex;
    Py_INCREF(boost);
    S->boost_dict = boost;
    Py_INCREF(negate);
    S->negate_set = negate;
    S->keywords = PySequence_List(keywords); /* a copy the caller cannot change */
    if (!S->keywords)
        goto fail;
    if (PyList_GET_SIZE(S->keywords) < 3) {
        PyErr_SetString(PyExc_ValueError, "vader: keywords must start with never, so, this");
        goto fail;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(S->keywords); k++)
        if (!PyUnicode_Check(PyList_GET_ITEM(S->keywords, k))) {
            PyErr_SetString(PyExc_TypeError, "vader: keywords must be str");
            goto fail;
        }
    S->nt = PyUnicode_FromString("n't");
    S->s_lower = PyUnicode_InternFromString("lower");
    S->s_isupper = PyUnicode_InternFromString("isupper");
    if (!S->nt || !S->s_lower || !S->s_isupper)
        goto fail;
    if (fill_btab(&S->lex, seed, lex, 1) < 0 || fill_btab(&S->boost, seed, boost, 1) < 0 ||
        fill_btab(&S->negate, seed, negate, 0) < 0)
        goto fail;

    /* Private tuples of the entry lists: parsing an entry may run Python code (__index__,
     * __float__) that changes the caller's lists, so neither their sizes nor their items may
     * be borrowed from them. */
    if (!(idioms = list_items(idioms_arg, PY_SSIZE_T_MAX)) || !(pairs = list_items(pairs_arg, PY_SSIZE_T_MAX)) ||
        !(punc = list_items(punc_arg, PY_SSIZE_T_MAX)))
        goto fail;
    Py_ssize_t n_kw = PyList_GET_SIZE(S->keywords);
    S->n_idioms = PyTuple_GET_SIZE(idioms);
    S->idioms = PyMem_Calloc((size_t)S->n_idioms + 1, sizeof(idiom_t));
    if (!S->idioms) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t k = 0; k < S->n_idioms; k++) {
        idiom_t *d = &S->idioms[k];
        Py_ssize_t a, b, c;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(idioms, k), "innnd", &d->len, &a, &b, &c,
                              &d->value))
            goto fail;
        d->kw[0] = a;
        d->kw[1] = b;
        d->kw[2] = c;
        if (!(d->len == 2 || d->len == 3) || a < 0 || a >= n_kw || b < 0 || b >= n_kw ||
            (d->len == 3 && (c < 0 || c >= n_kw))) {
            PyErr_SetString(PyExc_ValueError, "vader: bad idiom entry");
            goto fail;
        }
    }
    S->n_pairs = PyTuple_GET_SIZE(pairs);
    S->pairs = PyMem_Calloc((size_t)S->n_pairs + 1, sizeof(*S->pairs));
    if (!S->pairs) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t k = 0; k < S->n_pairs; k++) {
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(pairs, k), "nn", &S->pairs[k][0],
                              &S->pairs[k][1]))
            goto fail;
        if (S->pairs[k][0] < 0 || S->pairs[k][0] >= n_kw || S->pairs[k][1] < 0 ||
            S->pairs[k][1] >= n_kw) {
            PyErr_SetString(PyExc_ValueError, "vader: bad pair entry");
            goto fail;
        }
    }
    S->n_punc = PyTuple_GET_SIZE(punc);
    S->punc = PyMem_Calloc((size_t)S->n_punc + 1, sizeof(char *));
    S->punc_len = PyMem_Calloc((size_t)S->n_punc + 1, sizeof(size_t));
    if (!S->punc || !S->punc_len) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t k = 0; k < S->n_punc; k++) {
        PyObject *p = PyTuple_GET_ITEM(punc, k);
        Py_ssize_t len;
        const char *s;
        if (!PyUnicode_Check(p) || !PyUnicode_IS_ASCII(p)) {
            PyErr_SetString(PyExc_ValueError, "vader: PUNC_LIST must be ASCII str");
            goto fail;
        }
        s = PyUnicode_AsUTF8AndSize(p, &len);
        if (!s)
            goto fail;
        S->punc[k] = PyMem_Malloc((size_t)len + 1);
        if (!S->punc[k]) {
            PyErr_NoMemory();
            goto fail;
        }
        memcpy(S->punc[k], s, (size_t)len + 1);
        S->punc_len[k] = (size_t)len;
    }
    if (!PyUnicode_IS_ASCII(punctuation)) {
        PyErr_SetString(PyExc_ValueError, "vader: punctuation must be ASCII");
        goto fail;
    }
    {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(punctuation, &len);
        if (!s)
            goto fail;
        for (Py_ssize_t k = 0; k < len; k++)
            S->is_punct[(unsigned char)s[k] & 127] = 1;
    }
    PyObject *cap = PyCapsule_New(S, CAPSULE_NAME, capsule_destructor);
    if (!cap)
        goto fail;
    Py_DECREF(idioms);
    Py_DECREF(pairs);
    Py_DECREF(punc);
    return cap;
fail:
    Py_XDECREF(idioms);
    Py_XDECREF(pairs);
    Py_XDECREF(punc);
    scorer_free(S);
    return NULL;
}

/* ---------------------------------------------------------------- words of one batch */

typedef struct {
    uint64_t hash;
    Py_ssize_t off, len;   /* code points in wtab.chars */
    double lexval;         /* lexicon[word.lower()] when lexical */
    double boostval;       /* BOOSTER_DICT[word.lower()] when booster */
    Py_ssize_t stamp;      /* sentence in which `first` was set */
    Py_ssize_t first;      /* NLTK's first_index of the word in that sentence */
    unsigned char upper;   /* word.isupper() */
    unsigned char lexical; /* word.lower() in lexicon */
    unsigned char booster; /* word.lower() in BOOSTER_DICT */
    unsigned char negated; /* VaderConstants.negated([word]) */
    unsigned char tag;     /* word.lower() is "kind", "of", "least", "at", "very", "but" */
    unsigned char keyword; /* one of the scorer's keywords (words of idioms / booster pairs) */
} word_t;

typedef struct {
    word_t *words;
    Py_ssize_t n;
    size_t cap;
    Py_ssize_t *index; /* open addressing, -1 empty */
    size_t mask;
    Py_UCS4 *chars;
    size_t nchars, capchars;
    char *low;         /* scratch: ASCII lower case */
    size_t caplow;
} wtab;

static void wtab_free(wtab *t)
{
    PyMem_Free(t->words);
    PyMem_Free(t->index);
    PyMem_Free(t->chars);
    PyMem_Free(t->low);
}

/* Grow *buf (elements of size `size`) to hold at least `need`; 0 or -1 (MemoryError). */
static int grow(void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) {
        if (c > ((size_t)PY_SSIZE_T_MAX / size) / 2) {
            PyErr_NoMemory();
            return -1;
        }
        c *= 2;
    }
    void *p = PyMem_Realloc(*buf, c * size);
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = p;
    *cap = c;
    return 0;
}

static int wtab_init(wtab *t)
{
    memset(t, 0, sizeof(*t));
    t->index = PyMem_Malloc(1024 * sizeof(Py_ssize_t));
    if (!t->index) {
        PyErr_NoMemory();
        return -1;
    }
    memset(t->index, 0xff, 1024 * sizeof(Py_ssize_t));
    t->mask = 1023;
    return 0;
}

static int wtab_rehash(wtab *t)
{
    size_t cap = (t->mask + 1) * 2;
    if (cap > ((size_t)PY_SSIZE_T_MAX / sizeof(Py_ssize_t))) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t *index = PyMem_Malloc(cap * sizeof(Py_ssize_t));
    if (!index) {
        PyErr_NoMemory();
        return -1;
    }
    memset(index, 0xff, cap * sizeof(Py_ssize_t));
    for (Py_ssize_t k = 0; k < t->n; k++) {
        size_t pos = (size_t)t->words[k].hash & (cap - 1);
        while (index[pos] >= 0)
            pos = (pos + 1) & (cap - 1);
        index[pos] = k;
    }
    PyMem_Free(t->index);
    t->index = index;
    t->mask = cap - 1;
    return 0;
}

static int has_nt(const char *s, size_t len)
{
    for (size_t k = 0; k + 2 < len; k++)
        if (s[k] == 'n' && s[k + 1] == '\'' && s[k + 2] == 't')
            return 1;
    return 0;
}

static unsigned char ascii_tag(const char *s, size_t len)
{
    static const struct { const char *w; size_t len; unsigned char tag; } tags[] = {
        {"kind", 4, TAG_KIND}, {"of", 2, TAG_OF}, {"least", 5, TAG_LEAST},
        {"at", 2, TAG_AT}, {"very", 4, TAG_VERY}, {"but", 3, TAG_BUT}};
    for (size_t k = 0; k < sizeof(tags) / sizeof(tags[0]); k++)
        if (len == tags[k].len && memcmp(s, tags[k].w, len) == 0)
            return tags[k].tag;
    return TAG_OTHER;
}

/* Properties of a word of ASCII characters only, computed here. */
static int props_ascii(const scorer *S, wtab *t, word_t *w, const Py_UCS4 *c)
{
    size_t len = (size_t)w->len;
    int has_upper = 0, has_lower = 0;
    if (grow((void **)&t->low, &t->caplow, len + 1, 1) < 0)
        return -1;
    char *low = t->low;
    for (size_t k = 0; k < len; k++) {
        char ch = (char)c[k];
        if (ch >= 'A' && ch <= 'Z') {
            has_upper = 1;
            ch = (char)(ch + ('a' - 'A'));
        } else if (ch >= 'a' && ch <= 'z') {
            has_lower = 1;
        }
        low[k] = ch;
    }
    /* str.isupper(): some cased character and no lower-case one (ASCII cased = letters). */
    w->upper = (unsigned char)(has_upper && !has_lower);
    uint64_t h = hash_bytes(S->seed, low, len);
    const bslot *s;
    if ((s = btab_get(&S->lex, h, low, len))) {
        w->lexical = 1;
        w->lexval = s->value;
    }
    if ((s = btab_get(&S->boost, h, low, len))) {
        w->booster = 1;
        w->boostval = s->value;
    }
    w->negated = (unsigned char)(btab_get(&S->negate, h, low, len) != NULL || has_nt(low, len));
    w->tag = ascii_tag(low, len);
    return 0;
}

/* Look-up of `key` in a dict: 1 and *value when present, 0 absent, -1 error. */
static int dict_value(PyObject *dict, PyObject *key, double *value)
{
    PyObject *v = PyDict_GetItemWithError(dict, key);
    if (!v)
        return PyErr_Occurred() ? -1 : 0;
    /* Owned for the conversion: a non-float value's __float__ may remove it from the dict. */
    Py_INCREF(v);
    *value = PyFloat_AsDouble(v);
    Py_DECREF(v);
    if (*value == -1.0 && PyErr_Occurred())
        return -1;
    return 1;
}

/* Properties of any other word: Python's str.lower / str.isupper and NLTK's containers. */
static int props_python(const scorer *S, word_t *w, const Py_UCS4 *c)
{
    static const char *names[] = {"kind", "of", "least", "at", "very", "but"};
    static const unsigned char tags[] = {TAG_KIND, TAG_OF, TAG_LEAST, TAG_AT, TAG_VERY, TAG_BUT};
    int r, ok = -1;
    PyObject *low = NULL, *up = NULL;
    PyObject *word = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, c, w->len);
    if (!word)
        return -1;
    low = PyObject_CallMethodNoArgs(word, S->s_lower);
    if (!low || !PyUnicode_Check(low))
        goto done;
    up = PyObject_CallMethodNoArgs(word, S->s_isupper);
    if (!up || (r = PyObject_IsTrue(up)) < 0)
        goto done;
    w->upper = (unsigned char)r;
    if ((r = dict_value(S->lex_dict, low, &w->lexval)) < 0)
        goto done;
    w->lexical = (unsigned char)r;
    if ((r = dict_value(S->boost_dict, low, &w->boostval)) < 0)
        goto done;
    w->booster = (unsigned char)r;
    if ((r = PySequence_Contains(S->negate_set, low)) < 0)
        goto done;
    if (!r && (r = PyUnicode_Contains(low, S->nt)) < 0)
        goto done;
    w->negated = (unsigned char)r;
    w->tag = TAG_OTHER;
    for (size_t k = 0; k < sizeof(tags); k++)
        if (PyUnicode_CompareWithASCIIString(low, names[k]) == 0) {
            w->tag = tags[k];
            break;
        }
    ok = 0;
done:
    if (ok < 0 && low && !PyUnicode_Check(low) && !PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "vader: str.lower() did not return a str");
    Py_DECREF(word);
    Py_XDECREF(low);
    Py_XDECREF(up);
    return ok;
}

/* Index of the word c[0:len] in the batch's table (added with its properties if new); -1 on
 * error. `c` must not point into t->chars. */
static Py_ssize_t intern(const scorer *S, wtab *t, const Py_UCS4 *c, Py_ssize_t len)
{
    uint64_t h = hash_start(S->seed);
    Py_UCS4 all = 0;
    for (Py_ssize_t k = 0; k < len; k++) {
        h = hash_step(h, c[k]);
        all |= c[k];
    }
    h = hash_end(h);
    size_t pos = (size_t)h & t->mask;
    Py_ssize_t idx;
    while ((idx = t->index[pos]) >= 0) {
        const word_t *w = &t->words[idx];
        if (w->hash == h && w->len == len) {
            /* words are short: a plain loop beats a call to memcmp */
            const Py_UCS4 *k = t->chars + w->off;
            Py_ssize_t j = 0;
            while (j < len && k[j] == c[j])
                j++;
            if (j == len)
                return idx;
        }
        pos = (pos + 1) & t->mask;
    }
    if ((size_t)len > (size_t)PY_SSIZE_T_MAX / sizeof(Py_UCS4) - t->nchars) {
        PyErr_NoMemory();
        return -1;
    }
    if (grow((void **)&t->chars, &t->capchars, t->nchars + (size_t)len, sizeof(Py_UCS4)) < 0 ||
        grow((void **)&t->words, &t->cap, (size_t)t->n + 1, sizeof(word_t)) < 0)
        return -1;
    word_t *w = &t->words[t->n];
    memset(w, 0, sizeof(*w));
    w->hash = h;
    w->off = (Py_ssize_t)t->nchars;
    w->len = len;
    w->stamp = -1;
    if ((all < 128 ? props_ascii(S, t, w, c) : props_python(S, w, c)) < 0)
        return -1;
    if (len)
        memcpy(t->chars + t->nchars, c, (size_t)len * sizeof(Py_UCS4));
    t->nchars += (size_t)len;
    t->index[pos] = t->n;
    idx = t->n++;
    if ((size_t)t->n * 2 > t->mask + 1 && wtab_rehash(t) < 0)
        return -1;
    return idx;
}

/* ---------------------------------------------------------------- NLTK's rules */

typedef struct {
    const scorer *S;
    const word_t *E;      /* words of the batch */
    const Py_ssize_t *W;  /* the sentence: word indices */
    Py_ssize_t n;
    int cap_diff;         /* allcap_differential */
    const Py_ssize_t *kw; /* keyword -> word index (or -1) */
} sent_t;

#define WORD(st, k) (&(st)->E[(st)->W[k]])

/* Is the run of m word indices `ids` an idiom? Its value in *value. */
static int idiom_value(const sent_t *st, const Py_ssize_t *ids, int m, double *value)
{
    if (!st->E[ids[0]].keyword || !st->E[ids[1]].keyword) /* quick no: most runs */
        return 0;
    for (Py_ssize_t k = 0; k < st->S->n_idioms; k++) {
        const idiom_t *d = &st->S->idioms[k];
        if (d->len != m)
            continue;
        int j = 0;
        while (j < m && st->kw[d->kw[j]] == ids[j])
            j++;
        if (j == m) {
            *value = d->value;
            return 1;
        }
    }
    return 0;
}

static int is_booster_pair(const sent_t *st, Py_ssize_t a, Py_ssize_t b)
{
    if (!st->E[a].keyword || !st->E[b].keyword)
        return 0;
    for (Py_ssize_t k = 0; k < st->S->n_pairs; k++)
        if (st->kw[st->S->pairs[k][0]] == a && st->kw[st->S->pairs[k][1]] == b)
            return 1;
    return 0;
}

/* NLTK's _idioms_check (case-sensitive word runs); called with i > 2. */
static double idioms_check(const sent_t *st, double valence, Py_ssize_t i)
{
    const Py_ssize_t *W = st->W;
    Py_ssize_t onezero[2] = {W[i - 1], W[i]};
    Py_ssize_t twoonezero[3] = {W[i - 2], W[i - 1], W[i]};
    Py_ssize_t twoone[2] = {W[i - 2], W[i - 1]};
    Py_ssize_t threetwoone[3] = {W[i - 3], W[i - 2], W[i - 1]};
    Py_ssize_t threetwo[2] = {W[i - 3], W[i - 2]};
    double v;
    if (idiom_value(st, onezero, 2, &v) || idiom_value(st, twoonezero, 3, &v) ||
        idiom_value(st, twoone, 2, &v) || idiom_value(st, threetwoone, 3, &v) ||
        idiom_value(st, threetwo, 2, &v))
        valence = v;
    if (st->n - 1 > i) {
        Py_ssize_t zeroone[2] = {W[i], W[i + 1]};
        if (idiom_value(st, zeroone, 2, &v))
            valence = v;
    }
    if (st->n - 1 > i + 1) {
        Py_ssize_t zeroonetwo[3] = {W[i], W[i + 1], W[i + 2]};
        if (idiom_value(st, zeroonetwo, 3, &v))
            valence = v;
    }
    if (is_booster_pair(st, threetwo[0], threetwo[1]) || is_booster_pair(st, twoone[0], twoone[1]))
        valence = valence + st->S->b_decr;
    return valence;
}

static inline int so_or_this(const sent_t *st, Py_ssize_t k)
{
    return st->W[k] == st->kw[1] || st->W[k] == st->kw[2];
}

/* NLTK's sentiment_valence for the word at i (its first occurrence): 0.0 unless lexical. */
static double sentiment_valence(const sent_t *st, Py_ssize_t i)
{
    const scorer *S = st->S;
    const word_t *item = WORD(st, i);
    if (!item->lexical)
        return 0.0;
    double valence = item->lexval;
    if (item->upper && st->cap_diff) {
        if (valence > 0)
            valence += S->c_incr;
        else
            valence -= S->c_incr;
    }
    for (Py_ssize_t start_i = 0; start_i < 3; start_i++) {
        if (!(i > start_i && !WORD(st, i - (start_i + 1))->lexical))
            continue;
        /* scalar_inc_dec(words[i - (start_i + 1)], valence, is_cap_diff) */
        const word_t *prev = WORD(st, i - (start_i + 1));
        double s = 0.0;
        if (prev->booster) {
            s = prev->boostval;
            if (valence < 0)
                s *= -1.0;
            if (prev->upper && st->cap_diff) {
                if (valence > 0)
                    s += S->c_incr;
                else
                    s -= S->c_incr;
            }
        }
        if (start_i == 1 && s != 0)
            s = s * 0.95;
        if (start_i == 2 && s != 0)
            s = s * 0.9;
        valence = valence + s;
        /* _never_check ("never", "so", "this" compared case-sensitively, as in NLTK) */
        if (start_i == 0) {
            if (WORD(st, i - 1)->negated)
                valence = valence * S->n_scalar;
        } else if (start_i == 1) {
            if (st->W[i - 2] == st->kw[0] && so_or_this(st, i - 1))
                valence = valence * 1.5;
            else if (WORD(st, i - 2)->negated)
                valence = valence * S->n_scalar;
        } else {
            if ((st->W[i - 3] == st->kw[0] && so_or_this(st, i - 2)) || so_or_this(st, i - 1))
                valence = valence * 1.25;
            else if (WORD(st, i - 3)->negated)
                valence = valence * S->n_scalar;
            valence = idioms_check(st, valence, i);
        }
    }
    /* _least_check */
    if (i > 1 && !WORD(st, i - 1)->lexical && WORD(st, i - 1)->tag == TAG_LEAST) {
        if (WORD(st, i - 2)->tag != TAG_AT && WORD(st, i - 2)->tag != TAG_VERY)
            valence = valence * S->n_scalar;
    } else if (i > 0 && !WORD(st, i - 1)->lexical && WORD(st, i - 1)->tag == TAG_LEAST) {
        valence = valence * S->n_scalar;
    }
    return valence;
}

/* polarity_scores of one sentence before rounding: out = neg, neu, pos, compound. `sv` has
 * room for n doubles; `stamp` is unique to this sentence. */
static void score_sentence(sent_t *st, word_t *E, double *sv, Py_ssize_t stamp,
                           Py_ssize_t ep_count, Py_ssize_t qm_count, double *out)
{
    const Py_ssize_t n = st->n;
    const Py_ssize_t *W = st->W;
    if (n == 0) {
        out[0] = out[1] = out[2] = out[3] = 0.0;
        return;
    }
    Py_ssize_t n_upper = 0, bi = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        word_t *w = &E[W[k]];
        if (w->stamp != stamp) {
            w->stamp = stamp;
            w->first = k;
        }
        n_upper += w->upper;
        if (bi < 0 && w->tag == TAG_BUT)
            bi = k;
    }
    Py_ssize_t cap_differential = n - n_upper;
    st->cap_diff = 0 < cap_differential && cap_differential < n;

    for (Py_ssize_t p = 0; p < n; p++) {
        Py_ssize_t i = E[W[p]].first;
        const word_t *wi = &E[W[i]];
        if ((i < n - 1 && wi->tag == TAG_KIND && E[W[i + 1]].tag == TAG_OF) || wi->booster)
            sv[p] = 0.0;
        else
            sv[p] = sentiment_valence(st, i);
    }
    /* _but_check: the first "but" (lower case); earlier * 0.5, later * 1.5 */
    if (bi >= 0)
        for (Py_ssize_t k = 0; k < n; k++) {
            if (k < bi)
                sv[k] = sv[k] * 0.5;
            else if (k > bi)
                sv[k] = sv[k] * 1.5;
        }

    /* score_valence */
    double sum_s = 0.0;
    for (Py_ssize_t k = 0; k < n; k++)
        sum_s += sv[k];
    if (ep_count > 4)
        ep_count = 4;
    double ep_amplifier = (double)ep_count * 0.292;
    double qm_amplifier = 0.0;
    if (qm_count > 1) {
        if (qm_count <= 3)
            qm_amplifier = (double)qm_count * 0.18;
        else
            qm_amplifier = 0.96;
    }
    double punct_emph_amplifier = ep_amplifier + qm_amplifier;
    if (sum_s > 0)
        sum_s += punct_emph_amplifier;
    else if (sum_s < 0)
        sum_s -= punct_emph_amplifier;
    double compound = sum_s / sqrt((sum_s * sum_s) + st->S->alpha);

    double pos_sum = 0.0, neg_sum = 0.0;
    Py_ssize_t neu_count = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        double s = sv[k];
        if (s > 0)
            pos_sum += (s + 1.0);
        if (s < 0)
            neg_sum += (s - 1.0);
        if (s == 0)
            neu_count += 1;
    }
    if (pos_sum > fabs(neg_sum))
        pos_sum += punct_emph_amplifier;
    else if (pos_sum < fabs(neg_sum))
        neg_sum -= punct_emph_amplifier;
    double total = pos_sum + fabs(neg_sum) + (double)neu_count;
    out[0] = fabs(neg_sum / total);
    out[1] = fabs((double)neu_count / total);
    out[2] = fabs(pos_sum / total);
    out[3] = compound;
}

/* ---------------------------------------------------------------- the batch */

/* NLTK's word for the whitespace token c[a:b] (b - a > 1), as the span [*ws, *we): the token
 * without its leading or trailing punctuation run when that run is in PUNC_LIST and the rest
 * is longer than one character and holds no punctuation (FastVader._map_token). */
static void map_token(const scorer *S, const Py_UCS4 *c, Py_ssize_t a, Py_ssize_t b,
                      Py_ssize_t *ws, Py_ssize_t *we)
{
#define PUNCT(ch) ((ch) < 128 && S->is_punct[(ch)])
    Py_ssize_t w0, w1, p0, p1;
    *ws = a;
    *we = b;
    if (PUNCT(c[b - 1])) {
        w0 = a;
        w1 = b;
        while (w1 > a && PUNCT(c[w1 - 1]))
            w1--;
        p0 = w1;
        p1 = b;
    } else if (PUNCT(c[a])) {
        w0 = a;
        while (w0 < b && PUNCT(c[w0]))
            w0++;
        w1 = b;
        p0 = a;
        p1 = w0;
    } else {
        return;
    }
    if (w1 - w0 <= 1)
        return;
    for (Py_ssize_t k = w0; k < w1; k++)
        if (PUNCT(c[k]))
            return;
    for (Py_ssize_t k = 0; k < S->n_punc; k++) {
        if (S->punc_len[k] != (size_t)(p1 - p0))
            continue;
        Py_ssize_t j = 0;
        while (j < p1 - p0 && c[p0 + j] == (Py_UCS4)(unsigned char)S->punc[k][j])
            j++;
        if (j == p1 - p0) {
            *ws = w0;
            *we = w1;
            return;
        }
    }
#undef PUNCT
}

static PyObject *score(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *cap, *texts, *out;
    if (!PyArg_ParseTuple(args, "O!O!O", &PyCapsule_Type, &cap, &PyList_Type, &texts, &out))
        return NULL;
    const scorer *S = PyCapsule_GetPointer(cap, CAPSULE_NAME);
    if (!S)
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(out, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    Py_ssize_t n_texts = PyList_GET_SIZE(texts);
    if (view.itemsize != sizeof(double) || !view.format || strcmp(view.format, "d") != 0 ||
        n_texts > PY_SSIZE_T_MAX / (4 * (Py_ssize_t)sizeof(double)) ||
        view.len != n_texts * 4 * (Py_ssize_t)sizeof(double)) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "vader: out must be a C-contiguous float64 buffer "
                                          "of len(texts) * 4 values");
        return NULL;
    }
    double *res = view.buf;
    PyObject *ret = NULL;
    wtab t;
    Py_UCS4 *buf = NULL;
    size_t capbuf = 0;
    Py_ssize_t *W = NULL, *kw = NULL;
    size_t capW = 0, capsv = 0;
    double *sv = NULL;
    Py_ssize_t n_kw = PyList_GET_SIZE(S->keywords);
    if (wtab_init(&t) < 0)
        goto done;
    kw = PyMem_Malloc((size_t)n_kw * sizeof(Py_ssize_t));
    if (!kw) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n_kw; k++) {
        Py_UCS4 *c = PyUnicode_AsUCS4Copy(PyList_GET_ITEM(S->keywords, k));
        if (!c)
            goto done;
        kw[k] = intern(S, &t, c, PyUnicode_GET_LENGTH(PyList_GET_ITEM(S->keywords, k)));
        PyMem_Free(c);
        if (kw[k] < 0)
            goto done;
        t.words[kw[k]].keyword = 1;
    }
    for (Py_ssize_t r = 0; r < n_texts; r++) {
        /* Look-ups of non-ASCII words may run Python code (e.g. __eq__ of odd dict keys),
         * which could change the list: re-check its size before each item. */
        if (r >= PyList_GET_SIZE(texts)) {
            PyErr_SetString(PyExc_RuntimeError, "vader: texts changed size during scoring");
            goto done;
        }
        PyObject *text = PyList_GET_ITEM(texts, r);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "vader: texts must be str");
            goto done;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(text), nw = 0, ep = 0, qm = 0;
        if (len > 0) {
            if (grow((void **)&buf, &capbuf, (size_t)len, sizeof(Py_UCS4)) < 0 ||
                !PyUnicode_AsUCS4(text, buf, len, 0))
                goto done;
        }
        Py_ssize_t i = 0;
        while (i < len) {
            while (i < len && Py_UNICODE_ISSPACE(buf[i]))
                i++;
            if (i >= len)
                break;
            Py_ssize_t a = i;
            for (; i < len && !Py_UNICODE_ISSPACE(buf[i]); i++) {
                ep += buf[i] == '!';
                qm += buf[i] == '?';
            }
            if (i - a > 1) {
                Py_ssize_t ws, we;
                map_token(S, buf, a, i, &ws, &we);
                Py_ssize_t idx = intern(S, &t, buf + ws, we - ws);
                if (idx < 0 || grow((void **)&W, &capW, (size_t)nw + 1, sizeof(Py_ssize_t)) < 0)
                    goto done;
                W[nw++] = idx;
            }
        }
        if (grow((void **)&sv, &capsv, (size_t)nw + 1, sizeof(double)) < 0)
            goto done;
        sent_t st = {S, t.words, W, nw, 0, kw};
        score_sentence(&st, t.words, sv, r, ep, qm, res + 4 * r);
    }
    Py_INCREF(Py_None);
    ret = Py_None;
done:
    wtab_free(&t);
    PyMem_Free(buf);
    PyMem_Free(W);
    PyMem_Free(kw);
    PyMem_Free(sv);
    PyBuffer_Release(&view);
    return ret;
}

static PyMethodDef module_methods[] = {
    {"make", make, METH_VARARGS,
     "make(lexicon, booster, negate, keywords, idioms, pairs, punc_list, punctuation, b_decr, "
     "c_incr, n_scalar, alpha, seed) -> scorer capsule. keywords: list of str starting with "
     "'never', 'so', 'this'; idioms: [(n_words, kw0, kw1, kw2, value)]; pairs: [(kw0, kw1)]."},
    {"score", score, METH_VARARGS,
     "score(scorer, texts, out): unrounded (neg, neu, pos, compound) of each str of the list "
     "texts into the float64 buffer out (len(texts) * 4 values)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "vader",
    "Compiled twin of analysis.vader_fast.FastVader's batch scorer (NLTK's VADER).", -1,
    module_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_vader(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m)
        return NULL;
    /* 1 when doubles are evaluated in double precision (no x87 excess precision). */
    if (PyModule_AddIntConstant(m, "EXACT_DOUBLES", FLT_EVAL_METHOD == 0) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
