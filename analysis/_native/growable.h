/* Growth of the append-only arrays of the compiled cores, shared so that each core does not
 * carry its own copy of the overflow checks. Include after Python.h. */
#ifndef DISCOURSE_KIT_GROWABLE_H
#define DISCOURSE_KIT_GROWABLE_H

/* A block of at least `need` items of `item_size` bytes, `items` reallocated with its capacity
 * doubled from `first` (or from *capacity). On success *capacity is updated and the new block is
 * returned for the caller to store; on failure NULL with MemoryError set, and `items` is still
 * valid. A returned pointer rather than a void ** out-parameter keeps strict aliasing intact. */
static void *
grow_array(void *items, Py_ssize_t *capacity, Py_ssize_t need, size_t item_size,
           Py_ssize_t first)
{
    Py_ssize_t cap = *capacity > 0 ? *capacity : first;
    Py_ssize_t limit = PY_SSIZE_T_MAX / (Py_ssize_t)item_size;
    while (cap < need) {
        if (cap > limit / 2) {
            PyErr_NoMemory();
            return NULL;
        }
        cap *= 2;
    }
    if (cap > limit) {
        PyErr_NoMemory();
        return NULL;
    }
    void *grown = PyMem_Realloc(items, (size_t)cap * item_size);
    if (grown == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    *capacity = cap;
    return grown;
}

#endif
