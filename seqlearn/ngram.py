"""N-gram language models: counts, add-k and interpolated Kneser–Ney smoothing, perplexity, sampling.

An order-n model predicts token w from the previous n-1 tokens, its context h:

- add-k:  P(w | h) = (c(h w) + k) / (c(h) + k V)
- interpolated Kneser–Ney, with one discount D per model:
    P(w | h) = max(c(h w) - D, 0) / c(h)  +  D N1+(h •) / c(h) * P(w | h')      (h' = h minus its first token)
  where c(.) are plain counts at the highest order and *continuation counts* N1+(• h w) (how many distinct
  tokens precede h w) at every lower order, because a lower order is only consulted as a back-off. The lowest
  order interpolates with the uniform distribution 1/V, so no token ever has probability 0. An unseen context
  (c(h) = 0) backs off entirely to P(w | h').

Near the start of a stream there are fewer than n-1 tokens of context; the model then uses what there is.
Tokens are integer ids in [0, V). `stored_ngrams()` is the memory the model needs, which grows with n.
`perplexity` is the course's one definition (`seqlearn.metrics`), and `sample` draws with its one sampling
rule (`seqlearn.sampling.sample_next`), on logits ln P(. | h) (V,): softmax(ln p) = p.
"""

from collections import Counter, defaultdict

import numpy as np

from seqlearn import metrics
from seqlearn.checks import check_choice, check_int_array, check_positive, check_positive_int, check_rng
from seqlearn.sampling import sample_next


class NGramModel:
    """`NGramModel(order, vocab_size, smoothing="kneser_ney" | "add_k", k=1.0, discount=0.75).fit(streams)`."""

    def __init__(self, order, vocab_size, smoothing="kneser_ney", k=1.0, discount=0.75):
        self.order = check_positive_int("order", order)
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.smoothing = check_choice("smoothing", smoothing, ("kneser_ney", "add_k"))
        check_positive("k", k)
        if not 0 < discount < 1:
            raise ValueError(f"discount must be in (0, 1), got {discount}")
        self.k, self.discount = float(k), float(discount)
        self.counts = None

    def _streams(self, streams):
        """One id sequence or a list of them -> a list of int arrays, each checked against the vocabulary."""
        if isinstance(streams, np.ndarray) or (len(streams) and not isinstance(streams[0], list | tuple | np.ndarray)):
            streams = [streams]
        out = []
        for i, s in enumerate(streams):
            s = check_int_array(f"stream {i}", s, ndim=1)
            bad = (s < 0) | (s >= self.vocab_size)
            if bad.any():
                raise ValueError(f"ids must be in [0, {self.vocab_size - 1}]; stream {i} holds {int(s[bad][0])}")
            out.append(s.tolist())
        return out

    def fit(self, streams):
        """Count every m-gram, m = 1..order, inside each stream (n-grams never span two streams)."""
        # counts[m][h][w]: how often token w followed the (m-1)-token context h.
        counts = [defaultdict(Counter) for _ in range(self.order + 1)]
        for s in self._streams(streams):
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
        return self

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
        context = self._streams([list(context)])[0] if len(context) else []
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
        p = lower * (self.discount * len(followers) / total)
        for w, c in followers.items():
            p[w] += max(c - self.discount, 0.0) / total
        return p

    def log_likelihood(self, stream):
        """Sum of ln P(w_t | w_<t) over one stream, each token predicted from the tokens before it."""
        s = self._streams([stream])[0]
        return float(sum(np.log(self.next_distribution(s[max(0, t - self.order + 1):t])[w])
                         for t, w in enumerate(s)))

    def perplexity(self, streams):
        """exp of the mean negative log-likelihood per token, over every token of every stream."""
        streams = self._streams(streams)
        return metrics.perplexity(-sum(self.log_likelihood(s) for s in streams), sum(len(s) for s in streams))

    def sample(self, context, steps, rng, stop_id=None, temperature=1.0, top_k=None):
        """Extend `context` by up to `steps` ids chosen by `sample_next`; stop early after `stop_id`.

        rng: a np.random.Generator, or None for greedy (so is temperature=0). Each id is
        sample_next(ln P(. | context), rng, temperature, top_k): at temperature 1 without top_k, the draw
        rng.choice(V, p=P(. | context)) from the model itself (softmax(ln p) is p, up to rounding).
        """
        check_rng(rng, allow_none=True)
        check_positive_int("steps", steps)
        out = list(self._streams([list(context)])[0]) if len(context) else []
        for _ in range(steps):
            w = sample_next(np.log(self.next_distribution(out)), rng, temperature, top_k)
            out.append(w)
            if w == stop_id:
                break
        return out
