"""Bad-input entries for the models built from the scratch layers: `seqlearn.scratch.architectures`, `attention`,
`seq2seq` and `decoding`. Shapes are tiny (T = 2, N = 2, a handful of units) so each case takes milliseconds."""

import numpy as np

from bad_inputs.catalogue import Bad, Entry, const
from seqlearn.scratch import architectures as arch
from seqlearn.scratch import attention as att
from seqlearn.scratch import decoding as dec
from seqlearn.scratch import seq2seq as s2s
from seqlearn.vocab import Vocab


def rng():
    return np.random.default_rng(0)


def rng_state(args):
    """A refused call draws nothing: the generator's state is unchanged (when rng is the bad value, no state)."""
    return args["rng"].bit_generator.state if isinstance(args["rng"], np.random.Generator) else None


# A dtype must be a floating one: an integer dtype would give all-zero weights, None or a word is no dtype.
DTYPE = [const("int", np.int64), const("bool", bool), const("complex", np.complex128), const("None", None),
         const("str", "no-such-dtype"), const("float", 2.5)]
CACHE = [const("None", None), const("str", "cache"), Bad("tuple", lambda v: tuple(v))]  # not the forward's cache
MASK = [Bad("all-False", lambda v: np.zeros_like(v)), Bad("int", lambda v: v.astype(np.int64)),
        Bad("float", lambda v: v.astype(np.float64)), Bad("list", lambda v: v.tolist()), const("str", "mask"),
        Bad("extra-axis", lambda v: v[None], mismatch=True), Bad("wider", lambda v: v[:, [0, 1, 1]], mismatch=True)]
LENGTHS = [Bad("float", lambda v: np.asarray(v, float)), Bad("bool", lambda v: np.asarray(v) > 0),
           const("None", None), const("str", "12"), Bad("negative", lambda v: [-1] + list(v)[1:]),
           Bad("too-long", lambda v: [99] + list(v)[1:]),
           Bad("uint64-wrap", lambda v: np.array([2**63 + 5, 1], np.uint64)),
           Bad("wrong-N", lambda v: list(v) + [1], mismatch=True), Bad("2-D", lambda v: np.asarray(v)[None])]
SCALAR_ID = [const("bool", True), const("float", 1.0), const("str", "1"), const("None", None), const("negative", -1),
             const("too-large", 10**9), const("uint64-wrap", np.uint64(2**63 + 5)), const("list", [1])]
BOOL_OR_NONE = [const("str", "no"), const("int-1", 1), const("int-0", 0), const("float", 0.0)]
# An extra bad x: a batch of no examples (N = 0), which no forward pass takes (policy 3).
NO_EXAMPLES = {"x": [Bad("no-examples", lambda v: v[:, :0])]}


# many-to-many, many-to-one, encoder-decoder, generate: D = 3, H = 4, O = 3, T = 2, N = 2.
def model(O=3, D=3):
    return arch.init_model_params(D, 4, O, rng())


def x(T=2, D=3):
    return rng().normal(size=(T, 2, D))


def m2m_cache():
    return arch.many_to_many_forward(x(), None, model(), "tanh")[2]


def m2o_cache():
    return arch.many_to_one_forward(x(), None, model(), "tanh")[2]


def ed_params():
    enc = {k: v for k, v in arch.init_model_params(3, 4, 1, rng()).items() if k in ("W_xh", "W_hh", "b_h")}
    return enc, model(O=3, D=4)  # the decoder reads its 3 classes and <bos>: D = 4


def ed_cache():
    enc, dec_ = ed_params()
    return arch.encoder_decoder_forward(x(), arch.teacher_forcing_inputs(np.array([[0, 1], [2, 0]]), 3), enc, dec_)[2]


# attention: queries (T_q = 2, N = 2, H_q = 3), keys (T_k = 3, N = 2, H_k = 4), additive score of width A = 2.
def attention_args():
    r = rng()
    return {"queries": r.normal(size=(2, 2, 3)), "keys": r.normal(size=(3, 2, 4)),
            "mask": np.array([[True, True], [True, False], [True, True]]),
            "params": att.init_attention_params(3, 4, "additive", r, A=2), "score": "additive"}


# seq2seq: V_src = 5, the target Vocab(["a", "b"]) (6 ids: <pad> <unk> <bos> <eos> a b), H = 3; T_x = 3, N = 2.
VOCAB = Vocab(["a", "b"])


def s2s_params(attention="general"):
    return s2s.init_seq2seq_params(5, len(VOCAB), 3, rng(), attention=attention)


SRC, SRC_LENGTHS = np.array([[0, 1], [2, 3], [4, 0]]), [3, 1]
TARGETS, TARGET_LENGTHS = np.array([[4, 5], [5, 0]]), [2, 1]


def s2s_cache():
    return s2s.seq2seq_forward(SRC, SRC_LENGTHS, np.array([[2, 2], [4, 5]]), s2s_params(), "general")[2]


def step_args():
    params = s2s_params()
    states, s0, mask = dec.encode(SRC, SRC_LENGTHS, params)
    return {"prev_ids": np.array([2, 2]), "state": s0, "encoder_states": states, "mask": mask, "params": params,
            "attention": "general"}


VOCAB_BADS = [const("None", None), const("list", ["a", "b"]),
              Bad("no-bos", lambda v: Vocab(["a", "b"], reserved=("<pad>", "<unk>", "<eos>"))),
              Bad("other-size", lambda v: Vocab(["a", "b", "c"]), mismatch=True)]

ENTRIES = [
    # architectures
    Entry(arch.init_model_params, lambda: {"D": 3, "H": 4, "O": 2, "rng": rng(), "dtype": np.float32},
          {"D": "size", "H": "size", "O": "size", "rng": "rng", "dtype": DTYPE}, unchanged=rng_state),
    Entry(arch.many_to_many_forward,
          lambda: {"x": x(), "state0": np.zeros((2, 4)), "params": model(), "nonlinearity": "tanh", "truncate": 1},
          {"x": "array", "state0": "array?", "params": "params", "nonlinearity": "choice", "truncate": "size?"},
          extra=NO_EXAMPLES),
    Entry(arch.many_to_many_backward,
          lambda: {"dlogits": np.ones((2, 2, 3)), "cache": m2m_cache(), "dstate_n": np.ones((2, 4))},
          {"dlogits": "array", "cache": CACHE, "dstate_n": "array?"}),
    Entry(arch.many_to_many_loss,
          lambda: {"x": x(), "targets": np.array([[0, 1], [2, 0]]), "params": model(), "h0": np.zeros((2, 4)),
                   "reduction": "mean", "mask": np.array([[True, False], [True, True]]), "nonlinearity": "relu",
                   "truncate": 1},
          {"x": "finite_array", "targets": "ids", "params": "params", "h0": "array?", "reduction": "choice",
           "mask": MASK, "nonlinearity": "choice", "truncate": "size?"}, extra=NO_EXAMPLES),
    Entry(arch.many_to_one_forward,
          lambda: {"x": x(), "state0": np.zeros((2, 4)), "params": model(), "nonlinearity": "relu"},
          {"x": "array", "state0": "array?", "params": "params", "nonlinearity": "choice"}, extra=NO_EXAMPLES),
    Entry(arch.many_to_one_backward,
          lambda: {"dlogits": np.ones((2, 3)), "cache": m2o_cache(), "dstate_n": np.ones((2, 4))},
          {"dlogits": "array", "cache": CACHE, "dstate_n": "array?"}),
    Entry(arch.many_to_one_loss,
          lambda: {"x": x(), "targets": np.array([0, 2]), "params": model(), "h0": np.zeros((2, 4)),
                   "reduction": "sum", "nonlinearity": "tanh"},
          {"x": "finite_array", "targets": "ids", "params": "params", "h0": "array?", "reduction": "choice",
           "nonlinearity": "choice"}, extra=NO_EXAMPLES),
    Entry(arch.teacher_forcing_inputs,
          lambda: {"targets": np.array([[0, 1], [2, 0]]), "num_classes": 3, "dtype": np.float32},
          {"targets": "ids", "num_classes": "size", "dtype": DTYPE}),
    Entry(arch.encoder_decoder_forward,
          lambda: {"x": x(), "decoder_inputs": rng().normal(size=(3, 2, 4)), "encoder": ed_params()[0],
                   "decoder": ed_params()[1]},
          {"x": "array", "decoder_inputs": "array", "encoder": "params", "decoder": "params"},
          extra=NO_EXAMPLES | {"decoder_inputs": [Bad("no-examples", lambda v: v[:, :0], mismatch=True)]}),
    Entry(arch.encoder_decoder_backward, lambda: {"dlogits": np.ones((2, 2, 3)), "cache": ed_cache()},
          {"dlogits": "array", "cache": CACHE}),
    Entry(arch.encoder_decoder_loss,
          lambda: {"x": x(), "targets": np.array([[0, 1], [2, 0], [1, 1]]), "encoder": ed_params()[0],
                   "decoder": ed_params()[1], "reduction": "mean"},
          {"x": "finite_array", "targets": "ids", "encoder": "params", "decoder": "params", "reduction": "choice"},
          extra=NO_EXAMPLES),
    Entry(arch.encoder_decoder_generate,
          lambda: {"x": x(), "encoder": ed_params()[0], "decoder": ed_params()[1], "steps": 2},
          {"x": "array", "encoder": "params", "decoder": "params", "steps": "size"}, extra=NO_EXAMPLES),
    Entry(arch.generate,
          lambda: {"params": model(), "start_id": 1, "steps": 3, "rng": rng(), "stop_id": 2, "greedy": False},
          {"params": "params", "start_id": SCALAR_ID, "steps": "size", "rng": "rng?", "stop_id": SCALAR_ID[:-1],
           "greedy": BOOL_OR_NONE},
          skip={"stop_id": ("None",)}, unchanged=rng_state),  # stop_id None: no stop token, all the steps
    # attention
    Entry(att.init_attention_params,
          lambda: {"H_q": 3, "H_k": 4, "score": "additive", "rng": rng(), "A": 2, "dtype": np.float32},
          {"H_q": "size", "H_k": "size", "score": "choice", "rng": "rng", "A": "size?", "dtype": DTYPE},
          unchanged=rng_state),
    Entry(att.attention_forward, attention_args,
          {"queries": "array", "keys": "array", "mask": MASK, "params": "params", "score": "choice"},
          extra={"queries": [Bad("no-examples", lambda v: v[:, :0], mismatch=True)]},
          partners={"queries": ("params", "keys"), "keys": ("params", "queries")}),
    Entry(att.attention_backward,
          lambda: {"dcontext": np.ones((2, 2, 4)), "cache": att.attention_forward(**attention_args())[2],
                   "dweights": np.ones((2, 2, 3))},
          {"dcontext": "array", "cache": CACHE, "dweights": "array?"}),
    # seq2seq
    Entry(s2s.init_seq2seq_params,
          lambda: {"V_src": 5, "V_tgt": 6, "H": 3, "rng": rng(), "attention": "additive", "dtype": np.float32},
          {"V_src": "size", "V_tgt": "size", "H": "size", "rng": "rng", "attention": "choice?", "dtype": DTYPE},
          unchanged=rng_state),
    Entry(s2s.seq2seq_forward,
          lambda: {"src": SRC, "src_lengths": SRC_LENGTHS, "decoder_inputs": np.array([[2, 2], [4, 5]]),
                   "params": s2s_params(), "attention": "general"},
          {"src": "ids", "src_lengths": LENGTHS, "decoder_inputs": "ids", "params": "params", "attention": "choice?"}),
    Entry(s2s.seq2seq_backward, lambda: {"dlogits": np.ones((2, 2, 6)), "cache": s2s_cache()},
          {"dlogits": "array", "cache": CACHE}),
    Entry(s2s.seq2seq_loss,
          lambda: {"src": SRC, "src_lengths": SRC_LENGTHS, "targets": TARGETS, "target_lengths": TARGET_LENGTHS,
                   "params": s2s_params(), "vocab": VOCAB, "attention": "general"},
          {"src": "ids", "src_lengths": LENGTHS, "targets": "ids", "target_lengths": LENGTHS[:5] + LENGTHS[6:],
           "params": "params", "vocab": VOCAB_BADS, "attention": "choice?"},
          partners={"targets": ("target_lengths",)}),
    Entry(s2s.decoder_io, lambda: {"targets": TARGETS, "target_lengths": TARGET_LENGTHS, "vocab": VOCAB},
          {"targets": "ids", "target_lengths": LENGTHS[:5] + LENGTHS[6:], "vocab": VOCAB_BADS[:3]},
          partners={"targets": ("target_lengths",)}),
    # decoding
    Entry(dec.encode, lambda: {"src": SRC, "src_lengths": SRC_LENGTHS, "params": s2s_params()},
          {"src": "ids", "src_lengths": LENGTHS, "params": "params"}),
    Entry(dec.decoder_step, step_args,
          {"prev_ids": "ids", "state": "array", "encoder_states": "array", "mask": MASK, "params": "params",
           "attention": "choice?"}, partners={"encoder_states": ("mask",)}),
    Entry(dec.greedy_decode,
          lambda: {"src": SRC, "src_lengths": SRC_LENGTHS, "params": s2s_params(), "vocab": VOCAB, "max_len": 3,
                   "attention": "general"},
          {"src": "ids", "src_lengths": LENGTHS, "params": "params", "vocab": VOCAB_BADS, "max_len": "size",
           "attention": "choice?"}),
    Entry(dec.beam_search,
          lambda: {"src_ids": np.array([0, 4, 2]), "params": s2s_params(), "vocab": VOCAB, "beam_width": 2,
                   "max_len": 3, "length_penalty": 0.5, "attention": "general"},
          {"src_ids": "ids", "params": "params", "vocab": VOCAB_BADS, "beam_width": "size", "max_len": "size",
           "length_penalty": "nonnegative", "attention": "choice?"}),
]
