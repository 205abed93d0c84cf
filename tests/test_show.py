import inspect

import pytest

from seqlearn.one_hot import one_hot
from seqlearn.show import show_source


def test_text_form_is_the_current_source():
    shown = show_source(one_hot)
    assert shown.data == inspect.getsource(one_hot)
    assert shown._repr_html_().count("one_hot") == 1  # highlighted HTML for the notebook view


def test_refuses_what_has_no_source():
    with pytest.raises(TypeError, match="obj must be a function, class, method or module .*got int"):
        show_source(3)
