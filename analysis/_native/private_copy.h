/* Private copies of a caller's lists, shared by the compiled cores. Include after Python.h.
 *
 * Reading items borrowed from a caller's list is unsafe once Python code may run: __index__ or
 * __hash__ of an item, or a finalizer run by a garbage collection at any object allocation, may
 * change the list and free its items. PyList_AsTuple and PyList_GetSlice read the list after
 * allocating the copy, so list_items checks the size again once its tuple exists (nothing runs
 * after that). */
#ifndef DISCOURSE_KIT_PRIVATE_COPY_H
#define DISCOURSE_KIT_PRIVATE_COPY_H

/* list[:stop] as a new tuple of strong references, a copy nobody else can change; NULL with
 * RuntimeError when the list changed size while the tuple was allocated. */
static inline PyObject *
list_items(PyObject *list, Py_ssize_t stop)
{
    Py_ssize_t size = PyList_GET_SIZE(list);
    Py_ssize_t n = stop < size ? stop : size;
    PyObject *copy = PyTuple_New(n);
    if (copy == NULL)
        return NULL;
    if (PyList_GET_SIZE(list) != size) {
        Py_DECREF(copy);
        PyErr_SetString(PyExc_RuntimeError, "list changed size while it was read");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n; k++)
        PyTuple_SET_ITEM(copy, k, Py_NewRef(PyList_GET_ITEM(list, k)));
    return copy;
}

/* tuple(seq) as a private tuple: list_items for lists, else PySequence_Tuple (which walks any
 * other sequence with an iterator, holding each item). */
static inline PyObject *
private_tuple(PyObject *seq)
{
    return PyList_Check(seq) ? list_items(seq, PY_SSIZE_T_MAX) : PySequence_Tuple(seq);
}

#endif
