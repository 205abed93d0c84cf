"""`Vocab`: the two-way map between tokens and integer ids.

Ids are deterministic: the reserved tokens come first, in the order given, then the corpus tokens by
decreasing frequency, ties broken by Python's string order (code points: ' ' < '0' < 'A' < 'a'). Tokens seen
fewer than `min_freq` times (or beyond `max_size`) are left out and map to `<unk>` when encoded.

The corpus `tokens` is a list of tokens, a list of token lists (one per line or sentence), or a mapping
token -> count such as a `Counter` (so `Vocab(Counter(tokens), min_freq=2)` is `Vocab(tokens, min_freq=2)`).
A token of `reserved` ("<pad>", "<unk>", ... by default) may not occur in the corpus: real text would
silently become padding or a start mark. `encode` still maps a reserved token to its id, because code adds
`<bos>` and `<eos>` on purpose.

    vocab = Vocab(tokenise_chars("hello world"))
    ids = vocab.encode(tokenise_chars("hello"))      # [.., .., .., .., ..]
    vocab.decode(ids) == list("hello")
"""

from collections import Counter
from collections.abc import Iterable, Mapping

from seqlearn.checks import check_int_array, check_positive_int

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
RESERVED = (PAD, UNK, BOS, EOS)


def _flatten(tokens):
    """Accept a flat list of tokens or a list of token lists (one per line or sentence)."""
    if isinstance(tokens, str | bytes):
        raise TypeError(f"tokens must be a list of tokens, got a {type(tokens).__name__}; tokenise it first, "
                        "e.g. tokenise_chars(text)")
    if isinstance(tokens, Mapping) or not isinstance(tokens, Iterable):
        raise TypeError(f"tokens must be a list of str tokens, got {type(tokens).__name__} {tokens!r}")
    flat = []
    for item in tokens:
        if isinstance(item, str):
            flat.append(item)
        elif isinstance(item, list | tuple):
            for token in item:
                if not isinstance(token, str):
                    raise TypeError(f"tokens must be str, got {type(token).__name__} {token!r}")
                flat.append(token)
        else:
            raise TypeError(f"tokens must be str (or lists of str), got {type(item).__name__} {item!r}")
    return flat


def _count(tokens, reserved):
    """The corpus as a Counter: a mapping is read as token -> count (a positive int), anything else as tokens."""
    if isinstance(tokens, Mapping):
        counts = Counter()
        for token, count in tokens.items():
            if not isinstance(token, str):
                raise TypeError(f"tokens must map str tokens to counts, got the key {type(token).__name__} {token!r}")
            counts[token] = check_positive_int(f"tokens[{token!r}] (a count)", count)
    else:
        counts = Counter(_flatten(tokens))
    for token in reserved:
        if token in counts:  # refused, not dropped: "<pad>" in real text must not become padding
            raise ValueError(f"tokens must not hold the reserved token {token!r} (found {counts[token]} times): "
                             "text would be read as that mark; leave reserved tokens out of the corpus (encode "
                             "still maps them to their ids), or pass other reserved=")
    return counts


def _check_reserved(reserved):
    if isinstance(reserved, str) or not isinstance(reserved, list | tuple):
        raise TypeError(f"reserved must be a list of str tokens, got {type(reserved).__name__} {reserved!r}")
    for token in reserved:
        if not isinstance(token, str):
            raise TypeError(f"reserved must hold str tokens, got {type(token).__name__} {token!r}")
    if UNK not in reserved:
        raise ValueError(f"reserved tokens must include {UNK!r}, got {list(reserved)}")
    if len(set(reserved)) != len(reserved):
        raise ValueError(f"reserved tokens must be distinct, got {list(reserved)}")
    return list(reserved)


class Vocab:
    """Tokens <-> ids. `len(vocab)`, `token in vocab`, `vocab.encode(tokens)`, `vocab.decode(ids)`.

    Attributes: `id_to_token` (list), `token_to_id` (dict), `counts` (Counter of the corpus tokens),
    `unk_id`. `<unk>` is always reserved, because every unknown token must map somewhere.
    """

    def __init__(self, tokens=(), min_freq=1, reserved=RESERVED, max_size=None):
        check_positive_int("min_freq", min_freq)
        reserved = _check_reserved(reserved)
        if max_size is not None:
            check_positive_int("max_size", max_size)
        if max_size is not None and max_size < len(reserved):
            raise ValueError(f"max_size must leave room for the {len(reserved)} reserved tokens, got {max_size}")
        self.counts = _count(tokens, reserved)  # refuses a reserved token in the corpus
        kept = [t for t, c in self.counts.items() if c >= min_freq]
        kept.sort(key=lambda t: (-self.counts[t], t))
        if max_size is not None:
            kept = kept[: max_size - len(reserved)]
        self.id_to_token = reserved + kept
        self.token_to_id = {t: i for i, t in enumerate(self.id_to_token)}
        self.unk_id = self.token_to_id[UNK]

    def __len__(self):
        return len(self.id_to_token)

    def __contains__(self, token):
        return token in self.token_to_id

    def __repr__(self):
        head = ", ".join(repr(t) for t in self.id_to_token[:8])
        more = ", ..." if len(self) > 8 else ""
        return f"Vocab(size={len(self)}, tokens=[{head}{more}])"

    def encode(self, tokens):
        """List of tokens -> list of ids; a token not in the vocabulary becomes `unk_id`."""
        return [self.token_to_id.get(t, self.unk_id) for t in _flatten(tokens)]

    def decode(self, ids):
        """Ids (list or integer array, any shape flattened) -> list of tokens."""
        arr = check_int_array("ids", ids, vocab_size=len(self))  # any integer dtype; each id in [0, len(self))
        return [self.id_to_token[i] for i in arr.ravel().tolist()]
