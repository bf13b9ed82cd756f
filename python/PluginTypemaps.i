// What every SWIG module of openmm-ada shares (openmmada.i, learn.i): C++ exceptions raised as
// openmm.OpenMMException, and atom index lists taken from any Python sequence of integers.

// C++ exceptions become openmm.OpenMMException (a subclass of Exception), as in the openmm module.
%exception {
    try {
        $action
    } catch (const std::exception& e) {
        PyObject* openmmModule = PyImport_AddModule("openmm");
        PyObject* exceptionType = openmmModule ? PyObject_GetAttrString(openmmModule, "OpenMMException") : NULL;
        if (exceptionType == NULL) {
            PyErr_Clear();
            exceptionType = PyExc_Exception;
            Py_INCREF(exceptionType);
        }
        PyErr_SetString(exceptionType, e.what());
        Py_DECREF(exceptionType);
        SWIG_fail;
    }
}

// Atom index lists: any Python sequence of integers (list, tuple, range, numpy array) in, a list out.
%typemap(in) const std::vector<int>& (std::vector<int> indices) {
    PyObject* sequence = PySequence_Fast($input, "expected a sequence of atom indices (int)");
    if (sequence == NULL)
        SWIG_fail;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(sequence);
    for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject* index = PyNumber_Index(PySequence_Fast_GET_ITEM(sequence, i));
        const long value = index == NULL ? -1 : PyLong_AsLong(index);
        Py_XDECREF(index);
        if (index == NULL || (value == -1 && PyErr_Occurred()) || value < INT_MIN || value > INT_MAX) {
            Py_DECREF(sequence);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_OverflowError, "atom index out of the range of int");
            SWIG_fail;
        }
        indices.push_back(static_cast<int>(value));
    }
    Py_DECREF(sequence);
    $1 = &indices;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_POINTER) const std::vector<int>& {
    $1 = PySequence_Check($input) && !PyUnicode_Check($input) && !PyBytes_Check($input) ? 1 : 0;
}
%typemap(out) const std::vector<int>& {
    $result = PyList_New(static_cast<Py_ssize_t>($1->size()));
    for (size_t i = 0; i < $1->size(); ++i)
        PyList_SET_ITEM($result, static_cast<Py_ssize_t>(i), PyLong_FromLong((*$1)[i]));
}
