"""Show a package function's source inside a notebook, so the notebook shows the very code it runs.

`show_source(rnn_forward)` displays the current source with syntax highlighting. Its text form is the
source itself, so nbval compares it: when the code changes, the stored notebook output no longer matches
and CI says so until the notebook is regenerated.
"""

import inspect

from IPython.display import Code


def show_source(obj):
    """Return a displayable, highlighted view of the source of a function, class or module."""
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj) or inspect.ismethod(obj)):
        raise TypeError(f"obj must be a function, class, method or module (show_source shows its source), "
                        f"got {type(obj).__name__}")
    return Code(inspect.getsource(obj), language="python")
