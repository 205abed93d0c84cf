import re

import numpy as np
import pytest
import torch
from build_it import assert_build_it, message, placeholder

from seqlearn.exercises import WrongAnswer, ch08
from seqlearn.scratch import rnn_forward


def bidirectional_rnn(x, params_forward, params_backward, nonlinearity):
    forward, h_forward, _ = rnn_forward(x, None, params_forward, nonlinearity)
    backward, h_backward, _ = rnn_forward(x[::-1], None, params_backward, nonlinearity)
    return np.concatenate([forward, backward[::-1]], axis=-1), np.stack([h_forward, h_backward])


def test_build_it_bidirectional_rnn():
    assert_build_it(ch08.check_bidirectional_rnn, bidirectional_rnn, ch08.reference_bidirectional,
                    ch08.BIDIRECTIONAL_CASES, ch08.BIDIRECTIONAL_MISTAKES)


def test_bidirectional_reference_is_torch():
    kwargs = ch08.BIDIRECTIONAL_CASES[0].make(np.random.default_rng(0))
    x, forward, backward, nonlinearity = kwargs.values()
    D, H = forward["W_xh"].shape[1], forward["W_xh"].shape[0]
    module = torch.nn.RNN(D, H, nonlinearity=nonlinearity, bidirectional=True).double()
    with torch.no_grad():
        for suffix, p in (("", forward), ("_reverse", backward)):
            getattr(module, f"weight_ih_l0{suffix}").copy_(torch.from_numpy(p["W_xh"]))
            getattr(module, f"weight_hh_l0{suffix}").copy_(torch.from_numpy(p["W_hh"]))
            getattr(module, f"bias_ih_l0{suffix}").copy_(torch.from_numpy(p["b_h"]))
            getattr(module, f"bias_hh_l0{suffix}").zero_()
        output, h_n = module(torch.from_numpy(x))
    ours = ch08.reference_bidirectional(x, forward, backward, nonlinearity)
    assert np.allclose(ours[0], output.numpy(), atol=1e-12) and np.allclose(ours[1], h_n.numpy(), atol=1e-12)


def decoder_h0(h_n):
    L, N, H = len(h_n) // 2, h_n.shape[1], h_n.shape[2]
    by_name = h_n.reshape(L, 2, N, H)
    return np.concatenate([by_name[:, 0], by_name[:, 1]], axis=-1)


def test_decoder_h0():
    assert_build_it(ch08.check_decoder_h0, decoder_h0, ch08.reference_decoder_h0, ch08.DECODER_CASES,
                    ch08.DECODER_MISTAKES)
    h_n = torch.randn(2 * 3, 4, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    by_torch = torch.cat([h_n.view(3, 2, 4, 5)[:, 0], h_n.view(3, 2, 4, 5)[:, 1]], dim=-1)
    assert np.array_equal(ch08.reference_decoder_h0(h_n.numpy()), by_torch.numpy())


def final_states(output, lengths):
    H = output.shape[-1] // 2
    return output[lengths - 1, np.arange(output.shape[1]), :H], output[0, :, H:]


def test_final_states():
    assert_build_it(ch08.check_final_states, final_states, ch08.reference_final_states, ch08.LENGTHS_CASES,
                    ch08.FINAL_STATES_MISTAKES)


def test_final_states_are_h_n_and_outputs_as_torch_packs_them():
    rng = np.random.default_rng(2)
    T, N, D, H = 6, 4, 3, 2
    x, lengths, params = rng.normal(size=(T, N, D)), np.array([6, 2, 4, 1]), ch08._gru_layer(D, H, rng)
    output, h_n = ch08._packed_output(x, lengths, params)
    forward, backward = ch08.reference_final_states(output, lengths)
    assert np.array_equal(forward, h_n[0]) and np.array_equal(backward, h_n[1])
    assert np.all(output[3:, 1] == 0) and np.all(output[4:, 2] == 0)  # zeros at the padded steps

    module = torch.nn.GRU(D, H, bidirectional=True).double()
    with torch.no_grad():
        for suffix, p in (("", params[0][0]), ("_reverse", params[0][1])):
            gates = [p[f"W_x{g}"] for g in "rzn"], [p[f"W_h{g}"] for g in "rzn"]
            getattr(module, f"weight_ih_l0{suffix}").copy_(torch.from_numpy(np.concatenate(gates[0])))
            getattr(module, f"weight_hh_l0{suffix}").copy_(torch.from_numpy(np.concatenate(gates[1])))
            getattr(module, f"bias_ih_l0{suffix}").copy_(torch.from_numpy(np.concatenate([p["b_r"], p["b_z"],
                                                                                          p["b_xn"]])))
            getattr(module, f"bias_hh_l0{suffix}").copy_(torch.from_numpy(np.concatenate([np.zeros(2 * H),
                                                                                          p["b_hn"]])))
        packed = torch.nn.utils.rnn.pack_padded_sequence(torch.from_numpy(x), torch.from_numpy(lengths),
                                                         enforce_sorted=False)
        out, h_n_torch = module(packed)
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, total_length=T)
    assert np.allclose(output, out.numpy(), atol=1e-12) and np.allclose(h_n, h_n_torch.numpy(), atol=1e-12)


def reference_count(D, H, num_layers, bidirectional):
    dirs = 2 if bidirectional else 1
    total, width = 0, D
    for _ in range(num_layers):
        total += dirs * 4 * (H * width + H * H + 2 * H)
        width = dirs * H  # the next layer reads both directions
    return total


def test_parameter_count():
    ch08.check_parameter_count(reference_count)

    def upper_reads_H(D, H, num_layers, bidirectional):
        dirs = 2 if bidirectional else 1
        return dirs * sum(4 * (H * (D if k == 0 else H) + H * H + 2 * H) for k in range(num_layers))

    with pytest.raises(WrongAnswer, match="2H wide"):
        ch08.check_parameter_count(upper_reads_H)
    with pytest.raises(WrongAnswer, match="is not right"):  # one bias per gate
        ch08.check_parameter_count(lambda D, H, L, b: reference_count(D, H, L, b) - (2 if b else 1) * 4 * H * L)
    with pytest.raises(WrongAnswer, match="not written yet"):
        ch08.check_parameter_count(placeholder)
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch08.check_parameter_count(None)


def test_bidirectional_suitable():
    ch08.check_bidirectional_suitable({"ner", "sentiment", "transcribe"})
    ch08.check_bidirectional_suitable(["ner", "sentiment", "transcribe"])
    with pytest.raises(WrongAnswer, match="1 of the 6 tasks is on the wrong side"):
        ch08.check_bidirectional_suitable({"ner", "sentiment", "transcribe", "char_lm"})
    with pytest.raises(WrongAnswer, match="2 of the 6 tasks are on the wrong side"):
        ch08.check_bidirectional_suitable({"ner"})
    with pytest.raises(WrongAnswer, match="unknown keys"):
        ch08.check_bidirectional_suitable({"ner", "pos"})
    with pytest.raises(WrongAnswer, match="expected a set"):
        ch08.check_bidirectional_suitable(None)


@pytest.mark.parametrize("answer", [set(), {"ner", "forecast"}, {"captions"}, set(ch08.TASKS)])
def test_bidirectional_suitable_never_names_a_task(answer):
    text = message(ch08.check_bidirectional_suitable, answer)
    assert not any(re.search(rf"\b{key}\b", text) for key in ch08.TASKS), text


def test_checkers_leave_global_random_state_alone():
    before = torch.random.get_rng_state()
    ch08.check_bidirectional_rnn(bidirectional_rnn)
    ch08.check_final_states(final_states)
    ch08.check_parameter_count(reference_count)
    assert torch.equal(torch.random.get_rng_state(), before)
