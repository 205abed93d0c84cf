"""Held-out perplexity on The Time Machine: Kneser-Ney n-grams against recurrent language models.

The split is `seqlearn.splits.time_machine_char_split()`: characters, letters only, the last 10% held out.
- interpolated Kneser-Ney n-grams of orders 1-8 (seqlearn.ngram);
- RNN, LSTM and GRU language models (seqlearn.models), each trained for the same wall-clock budget
  (default 120 s) on the CPU with a fixed number of threads (default 2), with the recipe below.

Recipe (chapter 5 explains it): a 32-wide embedding, 512 hidden units, dropout 0.2 on the recurrent layer's
inputs and 0.7 on its outputs, Adam at lr 6e-3 falling along a cosine to 0 at the end of the time budget,
gradients clipped at norm 1, stateful training over sequential batches of 32 x 35 (truncated BPTT), best
validation weights kept.

The last two lines are the figures to quote:
    best n-gram val ppl: X.XXX (order N)
    best recurrent val ppl: X.XXX (MODEL)
"""

import argparse
import time

import torch

from seqlearn.models import RNNLanguageModel
from seqlearn.ngram import NGramModel
from seqlearn.splits import time_machine_char_split
from seqlearn.training import train_language_model

RECIPE = dict(hidden_size=512, embedding_dim=32, input_dropout=0.2, dropout=0.7)
TRAINING = dict(lr=6e-3, lr_schedule="cosine", clip=1.0, batch_size=32, num_steps=35, stateful=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=120.0, help="training seconds per recurrent model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--orders", type=int, default=8, help="n-gram orders 1..N")
    parser.add_argument("--models", default="rnn,lstm,gru")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    vocab, train_ids, val_ids = time_machine_char_split()
    print(f"The Time Machine: {len(train_ids):,} training and {len(val_ids):,} held-out characters, "
          f"vocabulary {len(vocab)}; torch {torch.__version__}, {args.threads} threads")
    print(f"{'model':<14} {'val ppl':>8} {'stored n-grams / params':>24} {'seconds':>8}")

    ngram = {}
    for order in range(1, args.orders + 1):
        start = time.perf_counter()
        model = NGramModel(order, len(vocab)).fit(train_ids)
        ngram[order] = model.perplexity(val_ids)
        print(f"{f'KN {order}-gram':<14} {ngram[order]:>8.3f} {model.stored_ngrams()[-1]:>24,} "
              f"{time.perf_counter() - start:>8.1f}")

    recurrent = {}
    for cell in args.models.split(","):
        torch.manual_seed(args.seed)
        model = RNNLanguageModel(len(vocab), cell=cell, **RECIPE)
        start = time.perf_counter()
        history = train_language_model(model, train_ids, val_ids, epochs=10_000, max_seconds=args.budget,
                                       seed=args.seed, device="cpu", progress=False, **TRAINING)
        recurrent[cell.upper()] = min(history.val_perplexity)
        n_params = sum(p.numel() for p in model.parameters())
        print(f"{cell.upper():<14} {recurrent[cell.upper()]:>8.3f} {n_params:>24,} "
              f"{time.perf_counter() - start:>8.1f}   ({len(history.val_perplexity)} epochs)")

    best_order = min(ngram, key=ngram.get)
    best_model = min(recurrent, key=recurrent.get)
    print(f"best n-gram val ppl: {ngram[best_order]:.3f} (order {best_order})")
    print(f"best recurrent val ppl: {recurrent[best_model]:.3f} ({best_model})")


if __name__ == "__main__":
    main()
