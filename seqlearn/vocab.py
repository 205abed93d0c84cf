"""`Vocab`: the two-way map between tokens and integer ids.

Ids are deterministic: the reserved tokens come first, in the order given, then the corpus tokens by
decreasing frequency, ties broken by Python's string order (code points: ' ' < '0' < 'A' < 'a'). Tokens seen
fewer than `min_freq` times (or beyond `max_size`) are left out and map to `<unk>` when encoded.

    vocab = Vocab(tokenise_chars("hello world"))
    ids = vocab.encode(tokenise_chars("hello"))      # [.., .., .., .., ..]
    vocab.decode(ids) == list("hello")
"""

from collections import Counter

from seqlearn.checks import check_int_array, check_positive_int

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
RESERVED = (PAD, UNK, BOS, EOS)


def _flatten(tokens):
    """Accept a flat list of tokens or a list of token lists (one per line or sentence)."""
    if isinstance(tokens, str):
        raise TypeError("expected a list of tokens, got a str; tokenise it first, e.g. tokenise_chars(text)")
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


class Vocab:
    """Tokens <-> ids. `len(vocab)`, `token in vocab`, `vocab.encode(tokens)`, `vocab.decode(ids)`.

    Attributes: `id_to_token` (list), `token_to_id` (dict), `counts` (Counter of the corpus tokens),
    `unk_id`. `<unk>` is always reserved, because every unknown token must map somewhere.
    """

    def __init__(self, tokens=(), min_freq=1, reserved=RESERVED, max_size=None):
        check_positive_int("min_freq", min_freq)
        if max_size is not None:
            check_positive_int("max_size", max_size)
        reserved = list(reserved)
        if UNK not in reserved:
            raise ValueError(f"reserved tokens must include {UNK!r}, got {reserved}")
        if len(set(reserved)) != len(reserved):
            raise ValueError(f"reserved tokens must be distinct, got {reserved}")
        self.counts = Counter(_flatten(tokens))
        kept = [t for t, c in self.counts.items() if c >= min_freq and t not in reserved]
        kept.sort(key=lambda t: (-self.counts[t], t))
        if max_size is not None:
            if max_size < len(reserved):
                raise ValueError(f"max_size must leave room for the {len(reserved)} reserved tokens, got {max_size}")
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
        arr = check_int_array("ids", ids).ravel()
        bad = (arr < 0) | (arr >= len(self))
        if bad.any():
            raise ValueError(f"ids must be in [0, {len(self) - 1}] for this vocabulary, got {int(arr[bad][0])}")
        return [self.id_to_token[i] for i in arr.tolist()]
