"""N-gram language models: counts, add-k and Kneser–Ney smoothing, perplexity, sampling, sentence totals.

An order-n model predicts token w from the previous n-1 tokens, its context h:

- add-k:  P(w | h) = (c(h w) + k) / (c(h) + k V)
- interpolated Kneser–Ney: subtract a discount D(c) from every seen count, and give the mass taken to the
  next lower order:
    P(w | h) = max(c(h w) - D(c(h w)), 0) / c(h)  +  gamma(h) * P(w | h')      (h' = h minus its first token)
    gamma(h) = sum over the followers x of h of D(c(h x)), divided by c(h)
  where c(.) are plain counts at the highest order and *continuation counts* N1+(• h w) (how many distinct
  tokens precede h w) at every lower order, because a lower order is only consulted as a back-off. The lowest
  order interpolates with the uniform distribution 1/V, so no token ever has probability 0. An unseen context
  (c(h) = 0) backs off entirely to P(w | h').
- the discounts: `discount=0.75` is one D for every count and order (Kneser & Ney 1995). `discount="modified"`
  is *modified* Kneser–Ney (Chen & Goodman 1999): three discounts per order, for counts 1, 2 and 3+, estimated
  from that order's count-of-counts n_k (how many n-grams occur exactly k times):
    Y = n1 / (n1 + 2 n2),   D1 = 1 - 2Y n2/n1,   D2 = 2 - 3Y n3/n2,   D3+ = 3 - 4Y n4/n3
  (an estimate that needs a count-of-count that is zero, or falls outside (0, k), is clipped into it).

Near the start of a stream there are fewer than n-1 tokens of context; the model then uses what there is, or
the `context` given: the tokens just before the stream. Tokens are integer ids in [0, V). `stored_ngrams()` is
the memory the model needs, which grows with n. `perplexity` is the course's one definition
(`seqlearn.metrics`), and `sample` draws with its one sampling rule (`seqlearn.sampling.sample_next`), on
logits ln P(. | h) (V,): softmax(ln p) = p. `total_sentence_probability` sums a bigram's probabilities of every
sentence, of every length, exactly.
"""

from collections import Counter, defaultdict

import numpy as np

from seqlearn import metrics
from seqlearn.checks import (
    check_choice,
    check_int_array,
    check_number,
    check_positive,
    check_positive_int,
    check_rng,
)
from seqlearn.sampling import sample_next


class NGramModel:
    """`NGramModel(order, vocab_size, smoothing="kneser_ney" | "add_k", k=1.0, discount=0.75 | "modified")`,
    then `.fit(streams)`. After fitting, `discounts[(table, m)]` = (D1, D2, D3+) for the order-m counts
    (table "count") and continuation counts (table "continuation")."""

    def __init__(self, order, vocab_size, smoothing="kneser_ney", k=1.0, discount=0.75):
        self.order = check_positive_int("order", order)
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.smoothing = check_choice("smoothing", smoothing, ("kneser_ney", "add_k"))
        check_positive("k", k)
        if isinstance(discount, str):
            check_choice("discount", discount, ("modified",))
        else:
            check_number("discount", discount, "a number in (0, 1) or 'modified'", lambda d: 0 < d < 1)
        self.k, self.discount = float(k), discount
        self.counts = None

    def _ids(self, name, ids):
        """One id sequence (a list or a 1-D array of any integer dtype) -> a list of ints, each in [0, V)."""
        return check_int_array(name, ids, ndim=1, vocab_size=self.vocab_size).tolist()

    def _streams(self, streams):
        """One id sequence or a list of them -> a list of lists of ids, each checked against the vocabulary."""
        if isinstance(streams, str) or not isinstance(streams, list | tuple | np.ndarray):
            raise TypeError(f"streams must be a sequence of ids or a list of them, got {type(streams).__name__}")
        if isinstance(streams, np.ndarray) or not any(isinstance(s, list | tuple | np.ndarray) for s in streams):
            return [self._ids("streams", streams)]  # a single stream
        return [self._ids(f"streams[{i}]", s) for i, s in enumerate(streams)]

    def fit(self, streams):
        """Count every m-gram, m = 1..order, inside each stream (n-grams never span two streams)."""
        # counts[m][h][w]: how often token w followed the (m-1)-token context h.
        counts = [defaultdict(Counter) for _ in range(self.order + 1)]
        for s in self._streams(streams):  # none, or only empty ones: every token equally likely (a uniform model)
            for t, w in enumerate(s):
                for m in range(1, min(self.order, t + 1) + 1):
                    counts[m][tuple(s[t - m + 1:t])][w] += 1
        self.counts = counts
        if self.smoothing == "kneser_ney":
            # continuation[m][h][w] = N1+(• h w): distinct tokens seen before (h, w), for m < order.
            continuation = [defaultdict(Counter) for _ in range(self.order)]
            for m in range(2, self.order + 1):
                for h, followers in counts[m].items():
                    for w in followers:
                        continuation[m - 1][h[1:]][w] += 1
            self.continuation = continuation
            self.discounts = {("count", m): self._estimate_discounts(counts[m]) for m in range(1, self.order + 1)}
            self.discounts |= {("continuation", m): self._estimate_discounts(continuation[m])
                               for m in range(1, self.order)}
        return self

    def _estimate_discounts(self, table):
        """(D1, D2, D3+) for the counts in `table`: the fixed discount three times, or modified Kneser–Ney's."""
        if self.discount != "modified":
            return (self.discount,) * 3
        n = Counter(c for followers in table.values() for c in followers.values())  # n[k]: how many occur k times
        y = n[1] / (n[1] + 2 * n[2]) if n[1] + n[2] else 0.5
        estimates = []
        for k in (1, 2, 3):
            d = k - (k + 1) * y * n[k + 1] / n[k] if n[k] else 0.75 * k
            estimates.append(float(min(max(d, 0.01 * k), 0.99 * k)))  # 0 < D_k < k: keep some mass, and a count
        return tuple(estimates)

    def stored_ngrams(self):
        """Number of distinct m-grams stored, for m = 1..order: the model's memory."""
        self._check_fitted()
        return [sum(len(f) for f in self.counts[m].values()) for m in range(1, self.order + 1)]

    def _check_fitted(self):
        if self.counts is None:
            raise RuntimeError("the model is not fitted yet: call .fit(streams) first")

    def next_distribution(self, context):
        """P(. | context) as a (V,) array that sums to 1; only the last order-1 ids of `context` are used."""
        self._check_fitted()
        context = self._ids("context", context)
        h = tuple(context[max(0, len(context) - self.order + 1):]) if self.order > 1 else ()
        if self.smoothing == "add_k":
            followers = self.counts[len(h) + 1].get(h, Counter())
            p = np.full(self.vocab_size, self.k)
            for w, c in followers.items():
                p[w] += c
            return p / p.sum()
        return self._kneser_ney(h, top=True)

    def _kneser_ney(self, h, top):
        m = len(h) + 1
        table = self.counts[m] if top else self.continuation[m]
        followers = table.get(h, Counter())
        lower = np.full(self.vocab_size, 1.0 / self.vocab_size) if m == 1 else self._kneser_ney(h[1:], top=False)
        total = sum(followers.values())
        if total == 0:
            return lower  # unseen context: back off entirely
        d = self.discounts[("count" if top else "continuation", m)]
        taken = {w: d[min(c, 3) - 1] for w, c in followers.items()}  # D(c): D1, D2 or D3+
        p = lower * (sum(taken.values()) / total)
        for w, c in followers.items():
            p[w] += (c - taken[w]) / total
        return p

    def token_log_probs(self, stream, context=()):
        """ln P(w_t | the tokens before it) for every token w_t of one stream: a (M,) float64 array.

        context: the ids just before the stream (e.g. the end of the previous part of the text); without it the
        first tokens are predicted from the shorter context that the stream itself provides."""
        self._check_fitted()
        context, s = self._ids("context", context), self._ids("stream", stream)
        full, start = context + s, len(context)
        return np.array([np.log(self.next_distribution(full[max(0, t - self.order + 1):t])[full[t]])
                         for t in range(start, len(full))])

    def log_likelihood(self, stream, context=()):
        """Sum of ln P(w_t | w_<t) over one stream, each token predicted from the tokens before it."""
        return float(self.token_log_probs(stream, context).sum())

    def perplexity(self, streams, context=()):
        """exp of the mean negative log-likelihood per token, over every token of every stream (a `context`
        applies to a single stream)."""
        self._check_fitted()
        streams, context = self._streams(streams), self._ids("context", context)
        if context and len(streams) != 1:
            raise ValueError(f"a context goes with a single stream, got {len(streams)} streams")
        num_tokens = sum(len(s) for s in streams)
        if num_tokens == 0:
            raise ValueError("streams must hold at least one token: a perplexity over zero tokens is undefined")
        return metrics.perplexity(-sum(self.log_likelihood(s, context) for s in streams), num_tokens)

    def sample(self, context, steps, rng, stop_id=None, temperature=1.0, top_k=None):
        """Extend `context` by up to `steps` ids chosen by `sample_next`; stop early after `stop_id`.

        rng: a np.random.Generator, or None for greedy (so is temperature=0). Each id is
        sample_next(ln P(. | context), rng, temperature, top_k): at temperature 1 without top_k, the draw
        rng.choice(V, p=P(. | context)) from the model itself (softmax(ln p) is p, up to rounding). stop_id must
        be an id of the vocabulary (one outside it would never stop anything). temperature and top_k are checked
        by sample_next before its first draw, so a refused call draws nothing from rng.
        """
        self._check_fitted()
        out = self._ids("context", context)
        check_positive_int("steps", steps)
        check_rng(rng, allow_none=True)
        if stop_id is not None:
            check_positive_int("stop_id", stop_id, minimum=0, maximum=self.vocab_size - 1)
        for _ in range(steps):
            w = sample_next(np.log(self.next_distribution(out)), rng, temperature, top_k)
            out.append(w)
            if w == stop_id:
                break
        return out


def total_sentence_probability(model, bos, eos, words):
    """The probability that a bigram model, started at `bos`, ends with `eos` after any number of `words` (ids):
    the sum of P(<bos> w_1 ... w_T <eos>) over every T >= 0 and every w_t in `words`, solved exactly.

    Let T(s) be the probability of ending from the last token s: T(s) = P(eos | s) + sum_w P(w | s) T(w). Over
    the words that is a linear system, (I - Q) T = r with Q[s, w] = P(w | s) and r[s] = P(eos | s). It is 1 only
    if the model never predicts a token outside `words` and `eos` (such as <pad> or <bos>), whose mass is lost.
    """
    if not all(hasattr(model, a) for a in ("order", "vocab_size", "next_distribution")):
        raise TypeError(f"model must be a bigram model (an NGramModel of order 2), got {type(model).__name__}")
    if model.order != 2:
        raise ValueError(f"total_sentence_probability needs a bigram model (order 2), got order {model.order}")
    V = model.vocab_size
    bos = check_positive_int("bos", bos, minimum=0, maximum=V - 1)
    eos = check_positive_int("eos", eos, minimum=0, maximum=V - 1)
    words = check_int_array("words", words, ndim=1, vocab_size=V)
    if len(words) == 0 or len(set(words.tolist())) != len(words):  # a repeated word would be counted twice
        raise ValueError(f"words must be distinct ids, at least one, got {words.tolist()}")
    if bos == eos or bos in words or eos in words:
        raise ValueError(f"bos and eos must differ, and be ids not among the words; got bos={bos}, eos={eos}, "
                         f"words={words.tolist()}")
    P = np.array([model.next_distribution([s]) for s in words])  # (W, V): row s is P(. | s)
    try:
        ends = np.linalg.solve(np.eye(len(words)) - P[:, words], P[:, eos])  # T(s) for every word s
    except np.linalg.LinAlgError as e:  # some words never lead to eos: the sentences never end
        raise ValueError(f"model never reaches eos={eos} from some of the words, so no total exists") from e
    start = model.next_distribution([bos])
    return float(start[eos] + start[words] @ ends)
