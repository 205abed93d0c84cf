"""Drawings of RNN architectures: boxes for inputs x⟨t⟩, hidden states h⟨t⟩ and outputs ŷ⟨t⟩, with arrows.

`draw_architecture(kind, T_x, T_y)` draws one of ARCHITECTURES; `draw_unrolled(T)` draws the unrolled network
with the shared weights labelled; `draw_bidirectional(T)` draws a bidirectional RNN's two sweeps. Each returns
the matplotlib Figure, or draws into a given `ax` and returns its figure, so a chapter can put several drawings
side by side.
"""

import matplotlib.pyplot as plt

from seqlearn.checks import check_choice, check_positive_int
from seqlearn.plotting import check_axes

ARCHITECTURES = ("one-to-one", "one-to-many", "many-to-one", "many-to-many-equal", "many-to-many-unequal")
TITLES = {
    "one-to-one": "one-to-one",
    "one-to-many": "one-to-many",
    "many-to-one": "many-to-one",
    "many-to-many-equal": "many-to-many, $T_x = T_y$",
    "many-to-many-unequal": r"many-to-many, $T_x \neq T_y$",
}
COLOURS = {"x": "#cfe2f3", "h": "#fce5cd", "y": "#d9ead3", "h_back": "#d9d2e9"}  # h_back: a backward sweep
GREY = "0.3"


def _box(ax, x, y, kind, label):
    ax.text(x, y, label, ha="center", va="center", fontsize=11,
            bbox=dict(boxstyle="round,pad=0.35", fc=COLOURS[kind], ec=GREY))


def _arrow(ax, start, end, label=None, dashed=False, shrink=14):
    # shrinkA/B keep the arrow heads off the boxes, whose size is in points, not data units.
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="->", color=GREY, shrinkA=shrink, shrinkB=shrink,
                                ls="--" if dashed else "-"))
    if label:  # beside a vertical arrow, above a horizontal one
        dx, dy = (0.08, 0) if start[0] == end[0] else (0, 0.12)
        ax.text((start[0] + end[0]) / 2 + dx, (start[1] + end[1]) / 2 + dy, label,
                ha="left" if dx else "center", va="center", fontsize=9, color=GREY)


def _layout(kind, T_x, T_y):
    """Which time steps have an input and which have an output: (steps, input_steps, output_steps)."""
    if kind == "one-to-one":
        return 1, [0], [0]
    if kind == "one-to-many":
        return T_y, [0], list(range(T_y))
    if kind == "many-to-one":
        return T_x, list(range(T_x)), [T_x - 1]
    if kind == "many-to-many-equal":
        return T_x, list(range(T_x)), list(range(T_x))
    return T_x + T_y, list(range(T_x)), list(range(T_x, T_x + T_y))  # encoder, then decoder


def draw_architecture(kind, T_x=3, T_y=2, ax=None):
    """Draw one architecture of ARCHITECTURES and return the Figure.

    one-to-many uses T_y (its dashed arrows: each prediction is fed into the next step, as when generating);
    many-to-one and many-to-many-equal use T_x; many-to-many-unequal draws an encoder of T_x steps followed
    by a decoder of T_y steps, whose inputs are <bos> and then the previous targets y⟨1⟩ ... y⟨T_y - 1⟩.
    An unknown `kind` is a ValueError that lists the valid ones.
    """
    check_choice("kind", kind, ARCHITECTURES)
    check_positive_int("T_x", T_x)
    check_positive_int("T_y", T_y)
    check_axes(ax)
    steps, inputs, outputs = _layout(kind, T_x, T_y)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.3 * steps + 1, 2.6))
    for t in range(steps):
        _box(ax, t, 1, "h", "h" if kind == "one-to-one" else f"h⟨{t + 1}⟩")
        if t in inputs:
            _box(ax, t, 0, "x", f"x⟨{inputs.index(t) + 1}⟩")
            _arrow(ax, (t, 0), (t, 1))
        elif kind == "many-to-many-unequal":  # the decoder reads <bos>, then the previous target y⟨t-1⟩
            s = t - T_x
            _box(ax, t, 0, "y", "<bos>" if s == 0 else f"y⟨{s}⟩")
            _arrow(ax, (t, 0), (t, 1))
        if t in outputs:
            _box(ax, t, 2, "y", f"ŷ⟨{outputs.index(t) + 1}⟩")
            _arrow(ax, (t, 1), (t, 2))
        if t:
            _arrow(ax, (t - 1, 1), (t, 1))
        if kind == "one-to-many" and t + 1 < steps:
            _arrow(ax, (t, 2), (t + 1, 1), dashed=True)
    bottom = -0.5
    if kind == "many-to-many-unequal":  # name the two halves below them
        bottom = -0.9
        ax.axvline(T_x - 0.5, color="0.6", ls=":", lw=1)
        for centre, name in (((T_x - 1) / 2, "encoder"), (T_x + (T_y - 1) / 2, "decoder")):
            ax.text(centre, -0.65, name, ha="center", va="center", fontsize=10, style="italic", color=GREY)
    ax.set_xlim(-0.7, steps - 0.3)
    ax.set_ylim(bottom, 2.5)
    ax.set_title(TITLES[kind], fontsize=11)
    ax.axis("off")
    return ax.figure


def draw_unrolled(T=4, ax=None):
    """The unrolled RNN over T steps, one cell per step, the same W_xh, W_hh, W_hy at every step; returns the Figure."""
    check_positive_int("T", T)
    check_axes(ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 * T + 1.5, 3))
    _box(ax, -1, 1, "h", "h⟨0⟩")
    for t in range(T):
        _box(ax, t, 0, "x", f"x⟨{t + 1}⟩")
        _box(ax, t, 1, "h", f"h⟨{t + 1}⟩")
        _box(ax, t, 2, "y", f"ŷ⟨{t + 1}⟩")
        _arrow(ax, (t, 0), (t, 1), "W_xh")
        _arrow(ax, (t, 1), (t, 2), "W_hy")
        _arrow(ax, (t - 1, 1), (t, 1), "W_hh")
    ax.set_xlim(-1.6, T - 0.4)
    ax.set_ylim(-0.5, 2.5)
    ax.set_title("unrolled in time: the same weights at every step", fontsize=11)
    ax.axis("off")
    return ax.figure


def draw_bidirectional(T=4, ax=None):
    """A bidirectional RNN over T steps; returns the Figure.

    The forward sweep a⟨1⟩→ ... a⟨T⟩→ runs left to right, the backward sweep a⟨T⟩← ... a⟨1⟩← right to left, both
    read every x⟨t⟩, and each ŷ⟨t⟩ reads both states of its step: the past through a⟨t⟩→, the future
    through a⟨t⟩←. In data coordinates step t (1 to T) is centred at x = t - 1, with the inputs at y = 0, the
    forward states at (t - 1 - 0.3, 1), the backward states at (t - 1 + 0.3, 2) and the outputs at y = 3,
    so a chapter can draw over the figure (to trace a path, for instance).
    """
    check_positive_int("T", T)
    check_axes(ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(2 * T + 1.5, 4))
    fwd, back = -0.3, 0.3  # the two states of a step sit side by side, so no arrow crosses a box
    for c in range(T):
        _box(ax, c, 0, "x", f"x⟨{c + 1}⟩")
        _box(ax, c + fwd, 1, "h", f"a⟨{c + 1}⟩→")
        _box(ax, c + back, 2, "h_back", f"a⟨{c + 1}⟩←")
        _box(ax, c, 3, "y", f"ŷ⟨{c + 1}⟩")
        _arrow(ax, (c, 0), (c + fwd, 1))
        _arrow(ax, (c, 0), (c + back, 2))
        _arrow(ax, (c + fwd, 1), (c, 3))
        _arrow(ax, (c + back, 2), (c, 3))
        if c:
            # the forward sweep from step t-1 to step t, the backward one from t+1 to t; these boxes are wide
            _arrow(ax, (c - 1 + fwd, 1), (c + fwd, 1), shrink=27)
            _arrow(ax, (c + back, 2), (c - 1 + back, 2), shrink=27)
    ax.text(-0.85, 1, "forward\nsweep →", ha="right", va="center", fontsize=9, style="italic", color=GREY)
    ax.text(T - 0.15, 2, "← backward\nsweep", ha="left", va="center", fontsize=9, style="italic", color=GREY)
    ax.set_xlim(-1.7, T + 0.7)
    ax.set_ylim(-0.5, 3.5)
    ax.set_title("bidirectional: ŷ⟨t⟩ reads the past (a⟨t⟩→) and the future (a⟨t⟩←)", fontsize=11)
    ax.axis("off")
    return ax.figure
