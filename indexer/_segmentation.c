/*
 * jieba's accurate-mode cut of one block (jieba.Tokenizer.__cut_DAG, HMM on), in C.
 *
 * Same words as jieba 0.42.1, not an approximation: the prefix walk over FREQ (get_DAG),
 * the right-to-left best route (calc) with its scores computed by the same double
 * operations in the same order (log(freq) - logtotal + route[x + 1], ties to the longer
 * word, as Python's max over (score, x) tuples does), and the same buffer of one-character
 * steps handed to the HMM (finalseg.cut, called back in Python) when it is not itself a
 * word. indexer/segmentation.py holds the pure-Python twin and the reasons; the tests and
 * benchmarks/check_segmentation.py compare both with jieba's own cut.
 *
 * Dictionary lookups go through a snapshot of jieba's FREQ (Dictionary, below) that
 * indexer/segmentation.py rebuilds whenever jieba's dictionary changes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

/* ---- jieba's FREQ as a trie in one hash table ---------------------------------------
 *
 * Looking each prefix up in the Python dict means a new str per prefix, its hash, and two or
 * three cache misses in a 500,000-entry dict (about 0.2 us a prefix). Here node ids are keys
 * of one open-addressing table: (parent node, code point) -> child node, so a prefix walk
 * is one probe per character and allocates nothing. Every key of FREQ is a node; jieba puts
 * every prefix of a word into FREQ (with 0), so the nodes are exactly FREQ's keys, and a
 * node made only on the way to a key that lacks its prefixes is marked as no key, which is
 * where get_DAG's `frag in FREQ` would stop too.
 */

#define NODE_NOT_KEY 0   /* on the way to a key, but not itself in FREQ */
#define NODE_PREFIX 1    /* in FREQ with 0: a prefix of longer words only */
#define NODE_WORD 2      /* a word: log of its count in log_count */
#define NODE_BAD_COUNT 3 /* a word whose count math.log refuses (not positive): cut_block raises on it */

typedef struct {
    uint64_t key;        /* (parent << 21 | code point) + 1; 0: empty slot */
    int32_t child;
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    uint64_t mask;
    int32_t nodes;
    int32_t capacity;    /* of the node arrays; the table has at least twice as many slots */
    int32_t max_nodes;   /* one per character of the keys, plus the root */
    unsigned char *state;
    double *log_count;
} Dictionary;

static inline uint64_t
mix64(uint64_t x)
{
    /* splitmix64's finaliser: consecutive code points under one parent spread out */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static inline int32_t
trie_child(const Dictionary *d, int32_t parent, Py_UCS4 cp)
{
    uint64_t key = (((uint64_t)parent << 21) | (uint64_t)cp) + 1;
    uint64_t i = mix64(key) & d->mask;
    for (;;) {
        const Slot *slot = &d->slots[i];
        if (slot->key == key) {
            return slot->child;
        }
        if (slot->key == 0) {
            return -1;
        }
        i = (i + 1) & d->mask;
    }
}

/* An empty table of at least twice `capacity` slots (at most half full), or NULL. */
static Slot *
new_table(int32_t capacity, uint64_t *mask)
{
    uint64_t slots = 16;
    while (slots < 2 * (uint64_t)capacity) {
        slots <<= 1;
    }
    if (slots > (uint64_t)PY_SSIZE_T_MAX / sizeof(Slot)) {
        return NULL;
    }
    *mask = slots - 1;
    return PyMem_Calloc((size_t)slots, sizeof(Slot));
}

/* Room for twice as many nodes (at most d->max_nodes): node arrays grown, table rehashed.
 * Jieba's FREQ is prefix-closed, so its keys are all the nodes there are and the first
 * size (one node per key) is enough; a hand-made dict may need more. */
static int
trie_grow(Dictionary *d)
{
    int32_t capacity = d->capacity > d->max_nodes / 2 ? d->max_nodes : 2 * d->capacity;
    if (capacity <= d->capacity) {
        PyErr_SetString(PyExc_MemoryError, "segmentation dictionary is full");
        return -1;
    }
    unsigned char *state = PyMem_Realloc(d->state, (size_t)capacity);
    if (state == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    d->state = state;
    double *log_count = PyMem_Realloc(d->log_count, sizeof(double) * (size_t)capacity);
    if (log_count == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    d->log_count = log_count;
    uint64_t mask;
    Slot *slots = new_table(capacity, &mask);
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (uint64_t i = 0; i <= d->mask; i++) {
        if (d->slots[i].key != 0) {
            uint64_t j = mix64(d->slots[i].key) & mask;
            while (slots[j].key != 0) {
                j = (j + 1) & mask;
            }
            slots[j] = d->slots[i];
        }
    }
    PyMem_Free(d->slots);
    d->slots = slots;
    d->mask = mask;
    d->capacity = capacity;
    return 0;
}

/* The child of parent for cp, made if missing; -1 (an exception set) if there is no room. */
static int32_t
trie_insert(Dictionary *d, int32_t parent, Py_UCS4 cp)
{
    uint64_t key = (((uint64_t)parent << 21) | (uint64_t)cp) + 1;
    uint64_t i = mix64(key) & d->mask;
    for (;;) {
        Slot *slot = &d->slots[i];
        if (slot->key == key) {
            return slot->child;
        }
        if (slot->key == 0) {
            if (d->nodes >= d->capacity) {
                if (trie_grow(d) < 0) {
                    return -1;
                }
                return trie_insert(d, parent, cp);  /* the table was rehashed */
            }
            int32_t child = d->nodes++;
            d->state[child] = NODE_NOT_KEY;
            d->log_count[child] = 0.0;
            slot->key = key;
            slot->child = child;
            return child;
        }
        i = (i + 1) & d->mask;
    }
}

static void
Dictionary_dealloc(Dictionary *self)
{
    PyMem_Free(self->slots);
    PyMem_Free(self->state);
    PyMem_Free(self->log_count);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
Dictionary_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *freq;
    static char *kwlist[] = {"freq", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!:Dictionary", kwlist, &PyDict_Type, &freq)) {
        return NULL;
    }
    Py_ssize_t total_chars = 0, pos = 0;
    PyObject *word, *count;
    while (PyDict_Next(freq, &pos, &word, &count)) {
        if (!PyUnicode_Check(word)) {
            PyErr_Format(PyExc_TypeError, "dictionary key %R is not a str", word);
            return NULL;
        }
        total_chars += PyUnicode_GET_LENGTH(word);
    }
    if (total_chars >= INT32_MAX - 1) {
        PyErr_SetString(PyExc_OverflowError, "dictionary too large");
        return NULL;
    }
    Dictionary *self = (Dictionary *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    /* one node per key, plus the root (exact for jieba's prefix-closed FREQ); at most one
     * per character of the keys */
    self->max_nodes = (int32_t)total_chars + 1;
    Py_ssize_t keys = PyDict_GET_SIZE(freq) + 1;
    self->capacity = keys < self->max_nodes ? (int32_t)keys : self->max_nodes;
    self->slots = new_table(self->capacity, &self->mask);
    self->state = PyMem_Malloc((size_t)self->capacity);
    self->log_count = PyMem_Malloc(sizeof(double) * (size_t)self->capacity);
    if (self->slots == NULL || self->state == NULL || self->log_count == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->nodes = 1;
    self->state[0] = NODE_NOT_KEY;  /* the empty string is no key */
    self->log_count[0] = 0.0;
    pos = 0;
    while (PyDict_Next(freq, &pos, &word, &count)) {
        Py_ssize_t len = PyUnicode_GET_LENGTH(word);
        int kind = PyUnicode_KIND(word);
        const void *data = PyUnicode_DATA(word);
        int32_t node = 0;
        for (Py_ssize_t i = 0; i < len; i++) {
            node = trie_insert(self, node, PyUnicode_READ(kind, data, i));
            if (node < 0) {
                Py_DECREF(self);
                return NULL;
            }
        }
        int truth = PyObject_IsTrue(count);
        if (truth < 0) {
            Py_DECREF(self);
            return NULL;
        }
        if (!truth) {
            self->state[node] = NODE_PREFIX;
            continue;
        }
        double value = PyFloat_AsDouble(count);
        if (value == -1.0 && PyErr_Occurred()) {
            Py_DECREF(self);
            return NULL;
        }
        if (!(value > 0.0)) {
            /* jieba's calc fails with math.log's domain error on the blocks holding it, and
             * only on those: so does cut_block */
            self->state[node] = NODE_BAD_COUNT;
            continue;
        }
        self->state[node] = NODE_WORD;
        /* math.log(int) is log() of the int as a double, exactly what is stored here */
        self->log_count[node] = log(value);
    }
    return (PyObject *)self;
}

static PyObject *
Dictionary_get_nodes(Dictionary *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(self->nodes);
}

static PyGetSetDef Dictionary_getset[] = {
    {"nodes", (getter)Dictionary_get_nodes, NULL, "trie nodes, the root included", NULL},
    {NULL},
};

PyDoc_STRVAR(Dictionary_doc,
"Dictionary(freq)\n\n"
"A read-only snapshot of jieba's FREQ dict for cut_block: words and their counts, and\n"
"prefixes (count 0). Build a new one whenever FREQ changes.");

static PyTypeObject DictionaryType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "indexer._segmentation.Dictionary",
    .tp_basicsize = sizeof(Dictionary),
    .tp_dealloc = (destructor)Dictionary_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = Dictionary_doc,
    .tp_new = Dictionary_new,
    .tp_getset = Dictionary_getset,
};

/* State of sentence[start:end] in the dictionary. */
static int
slice_state(const Dictionary *d, int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    int32_t node = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        node = trie_child(d, node, PyUnicode_READ(kind, data, i));
        if (node < 0) {
            return NODE_NOT_KEY;
        }
    }
    return d->state[node];
}

/* Append sentence[start:end] to words. */
static int
append_slice(PyObject *words, PyObject *sentence, Py_ssize_t start, Py_ssize_t end)
{
    PyObject *word = PyUnicode_Substring(sentence, start, end);
    if (word == NULL) {
        return -1;
    }
    int rc = PyList_Append(words, word);
    Py_DECREF(word);
    return rc;
}

/* A run of one-character route steps, sentence[start:end], as jieba's __cut_DAG emits it:
 * one character alone; a dictionary word character by character; anything else through
 * the HMM. */
static int
flush_buffer(PyObject *words, PyObject *sentence, int kind, const void *data, Py_ssize_t start,
             Py_ssize_t end, const Dictionary *d, PyObject *hmm_cut)
{
    if (end - start == 1) {
        return append_slice(words, sentence, start, end);
    }
    int state = slice_state(d, kind, data, start, end);
    if (state == NODE_WORD || state == NODE_BAD_COUNT) {  /* jieba: FREQ.get(buf) is truthy */
        for (Py_ssize_t i = start; i < end; i++) {
            if (append_slice(words, sentence, i, i + 1) < 0) {
                return -1;
            }
        }
        return 0;
    }
    PyObject *buf = PyUnicode_Substring(sentence, start, end);
    if (buf == NULL) {
        return -1;
    }
    PyObject *recognized = PyObject_CallOneArg(hmm_cut, buf);
    Py_DECREF(buf);
    if (recognized == NULL) {
        return -1;
    }
    PyObject *iterator = PyObject_GetIter(recognized);
    Py_DECREF(recognized);
    if (iterator == NULL) {
        return -1;
    }
    PyObject *item;
    while ((item = PyIter_Next(iterator)) != NULL) {
        int rc = PyList_Append(words, item);
        Py_DECREF(item);
        if (rc < 0) {
            Py_DECREF(iterator);
            return -1;
        }
    }
    Py_DECREF(iterator);
    return PyErr_Occurred() ? -1 : 0;
}

PyDoc_STRVAR(cut_block_doc,
"cut_block(block, dictionary, logtotal, hmm_cut) -> list[str]\n\n"
"jieba's accurate-mode words of one block (HMM on), as jieba.Tokenizer.__cut_DAG yields\n"
"them. dictionary is a Dictionary of jieba's FREQ, logtotal is math.log of its total,\n"
"hmm_cut cuts a buffer as jieba.finalseg.cut does.");

static PyObject *
cut_block(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *sentence, *hmm_cut;
    Dictionary *d;
    double logtotal;
    if (!PyArg_ParseTuple(args, "UO!dO:cut_block", &sentence, &DictionaryType, &d, &logtotal, &hmm_cut)) {
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(sentence);
    if (n == 0) {
        return PyList_New(0);
    }
    int kind = PyUnicode_KIND(sentence);
    const void *data = PyUnicode_DATA(sentence);
    double *scores = PyMem_New(double, n + 1);
    Py_ssize_t *ends = PyMem_New(Py_ssize_t, n);
    PyObject *words = NULL;
    if (scores == NULL || ends == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    scores[n] = 0.0;
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        int found = 0;
        double best = 0.0;
        Py_ssize_t best_end = k;
        int32_t node = 0;
        for (Py_ssize_t i = k; i < n; i++) {
            node = trie_child(d, node, PyUnicode_READ(kind, data, i));
            if (node < 0 || d->state[node] == NODE_NOT_KEY) {
                break; /* get_DAG: frag not in FREQ, so no longer word starts here */
            }
            if (d->state[node] == NODE_PREFIX) {
                continue; /* a prefix of longer words only */
            }
            if (d->state[node] == NODE_BAD_COUNT) {
                PyErr_SetString(PyExc_ValueError, "math domain error");
                goto done;
            }
            /* Python evaluates log(f) - logtotal + route[x + 1][0] left to right */
            double score = (d->log_count[node] - logtotal) + scores[i + 1];
            if (!found || score >= best) { /* ties go to the longer word, as max over (score, x) */
                best = score;
                best_end = i;
                found = 1;
            }
        }
        if (!found) {
            /* a character that is no word: jieba scores it as log(1) */
            best = (0.0 - logtotal) + scores[k + 1];
            best_end = k;
        }
        scores[k] = best;
        ends[k] = best_end;
    }

    words = PyList_New(0);
    if (words == NULL) {
        goto done;
    }
    Py_ssize_t x = 0, buffer_start = -1;
    while (x < n) {
        Py_ssize_t y = ends[x] + 1;
        if (y - x == 1) {
            if (buffer_start < 0) {
                buffer_start = x;
            }
        }
        else {
            if (buffer_start >= 0) {
                if (flush_buffer(words, sentence, kind, data, buffer_start, x, d, hmm_cut) < 0) {
                    goto fail;
                }
                buffer_start = -1;
            }
            if (append_slice(words, sentence, x, y) < 0) {
                goto fail;
            }
        }
        x = y;
    }
    if (buffer_start >= 0) {
        if (flush_buffer(words, sentence, kind, data, buffer_start, n, d, hmm_cut) < 0) {
            goto fail;
        }
    }
    goto done;

fail:
    Py_CLEAR(words);
done:
    PyMem_Free(scores);
    PyMem_Free(ends);
    return words;
}

/* ---- knowing when jieba's dictionary changed ------------------------------------------
 *
 * A snapshot (Dictionary, and the block memo in analysis.py) is valid while FREQ is not
 * modified. Its length and jieba's total miss some changes (deleting a word deleted and
 * re-added before changes neither), so the stamp comes from CPython itself: the dict's
 * version tag (PEP 509) up to 3.11, a dict watcher (PEP 699's successor API) from 3.12.
 */
#if PY_VERSION_HEX >= 0x030C0000
static int watcher_id = -1;
static uint64_t watched_changes = 0;

static int
on_watched_dict_event(PyDict_WatchEvent event, PyObject *dict, PyObject *key, PyObject *new_value)
{
    (void)event; (void)dict; (void)key; (void)new_value;
    watched_changes++;  /* any change of any watched dict: a snapshot is rebuilt at worst needlessly */
    return 0;
}
#endif

PyDoc_STRVAR(dictionary_stamp_doc,
"dictionary_stamp(freq) -> int\n\n"
"A number that differs from any earlier one whenever freq has been modified since.");

static PyObject *
dictionary_stamp(PyObject *module, PyObject *freq)
{
    (void)module;
    if (!PyDict_Check(freq)) {
        PyErr_Format(PyExc_TypeError, "expected a dict, got %.100s", Py_TYPE(freq)->tp_name);
        return NULL;
    }
#if PY_VERSION_HEX >= 0x030C0000
    if (watcher_id < 0) {
        watcher_id = PyDict_AddWatcher(on_watched_dict_event);
        if (watcher_id < 0) {
            return NULL;
        }
    }
    if (PyDict_Watch(watcher_id, freq) < 0) {  /* a no-op once watched */
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(watched_changes);
#else
    return PyLong_FromUnsignedLongLong(((PyDictObject *)freq)->ma_version_tag);
#endif
}

static PyMethodDef segmentation_methods[] = {
    {"cut_block", cut_block, METH_VARARGS, cut_block_doc},
    {"dictionary_stamp", dictionary_stamp, METH_O, dictionary_stamp_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef segmentation_module = {
    PyModuleDef_HEAD_INIT,
    "_segmentation",
    "jieba's accurate-mode block cut in C (see indexer/segmentation.py).",
    -1,
    segmentation_methods,
};

PyMODINIT_FUNC
PyInit__segmentation(void)
{
    if (PyType_Ready(&DictionaryType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&segmentation_module);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&DictionaryType);
    if (PyModule_AddObject(module, "Dictionary", (PyObject *)&DictionaryType) < 0) {
        Py_DECREF(&DictionaryType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
