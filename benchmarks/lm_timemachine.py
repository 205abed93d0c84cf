"""Test perplexity on The Time Machine: tuned Kneser-Ney n-grams, recurrent language models, and their mixture.

The protocol (chapter 5; `seqlearn.splits.time_machine_char_split`): characters of the book, letters and spaces,
cut into train / validation / test (80/10/10, contiguous, vocabulary from train; in the book the test part comes
before the validation part, the book's last 10%, on which earlier versions of the course tuned the recipe).
- Every choice is made on validation: the recipe below, the n-gram's discounts (one fixed D = 0.75, or modified
  Kneser-Ney's from count-of-counts) and order (1-10); each recurrent model's best epoch; which recurrent model is
  best; the mixture weight.
- Each part is read as one stream, after the last CONTEXT characters of the training part (for the test part,
  the text just before it), so every model predicts exactly the same tokens: every character of the part, none
  dropped (`seqlearn.training.token_log_probs`).
- Then one score on test, per model and seed.

The recurrent models (RNN, LSTM, GRU; `seqlearn.models`) train for a fixed number of EPOCHS, not a time budget,
with the recipe below, once per seed in SEEDS, on the CPU with a fixed number of threads (default 2). Test
perplexity is reported as mean ± sd over the seeds. The mixture is the best recurrent model interpolated with
the best n-gram, token by token, its weight chosen on validation (`seqlearn.metrics.best_mixture_weight`).

Everything, with its provenance (recipe, seeds, versions, commit, CPU, wall time), goes to RESULTS, which
chapter 5 reads; tests/test_benchmark_results.py checks that file's recipe against this one.
The last two lines are the figures to quote:
    best n-gram test ppl: X.XXX (order N)
    best recurrent test ppl: X.XXX (MODEL)
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from speed import provenance

from seqlearn.metrics import best_mixture_weight, mixture_log_probs, perplexity
from seqlearn.models import RNNLanguageModel
from seqlearn.ngram import NGramModel
from seqlearn.splits import time_machine_char_split
from seqlearn.training import token_log_probs, train_language_model

RECIPE = dict(hidden_size=512, embedding_dim=32, input_dropout=0.2, dropout=0.7)
TRAINING = dict(lr=6e-3, lr_schedule="cosine", clip=1.0, batch_size=32, num_steps=35, stateful=True)
EPOCHS = 15
SEEDS = (0, 1, 2)
MODELS = ("rnn", "lstm", "gru")
ORDERS = range(1, 11)
DISCOUNTS = (0.75, "modified")
CONTEXT = 1000  # training characters read before each part, so that its first characters are predicted too
RESULTS = Path(__file__).with_name("results") / "lm_timemachine.json"


def ppl(log_probs):
    return perplexity(-float(np.sum(log_probs)), len(log_probs))


def block_perplexities(log_probs, blocks=10):
    """Perplexity on each of `blocks` consecutive, equal stretches of a part."""
    return [ppl(block) for block in np.array_split(log_probs, blocks)]


def mean_sd(values):
    return {"mean": float(np.mean(values)), "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0}


def ngram_baselines(split):
    """Every (discount, order) on validation; the best one's token log-probs on validation and test."""
    table, best = [], None
    for discount in DISCOUNTS:
        for order in ORDERS:
            model = NGramModel(order, len(split.vocab), discount=discount).fit(split.train)
            val = model.token_log_probs(split.val, split.train[-CONTEXT:])
            table.append({"discount": discount, "order": order, "val_ppl": ppl(val)})
            if best is None or table[-1]["val_ppl"] < best[0]["val_ppl"]:
                best = (table[-1], model, val)
    choice, model, val = best
    test = model.token_log_probs(split.test, split.train[-CONTEXT:])
    return table, dict(choice, test_ppl=ppl(test)), val, test


def train_recurrent(split, cell, seed):
    torch.manual_seed(seed)
    model = RNNLanguageModel(len(split.vocab), cell=cell, **RECIPE)
    start = time.perf_counter()
    history = train_language_model(model, split.train, split.val, epochs=EPOCHS, seed=seed, device="cpu",
                                   progress=False, val_context=split.train[-CONTEXT:], **TRAINING)
    seconds = time.perf_counter() - start
    val = token_log_probs(model, split.val, split.train[-CONTEXT:])
    test = token_log_probs(model, split.test, split.train[-CONTEXT:])
    run = {"seed": seed, "best_epoch": history.best_epoch, "val_ppl": ppl(val), "test_ppl": ppl(test),
           "seconds": seconds, "seconds_per_epoch": seconds / EPOCHS,
           "val_ppl_by_epoch": history.val_perplexity, "train_ppl_by_epoch": history.train_perplexity}
    return run, sum(p.numel() for p in model.parameters()), val, test


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    wall, source = time.perf_counter(), provenance(args.threads)  # the code as it was when the run started
    split = time_machine_char_split()
    print(f"The Time Machine: {len(split.train):,} train, {len(split.val):,} validation, {len(split.test):,} test "
          f"characters, vocabulary {len(split.vocab)}; torch {torch.__version__}, {args.threads} threads")

    table, ngram, ngram_val, ngram_test = ngram_baselines(split)
    for row in table:
        print(f"KN {row['order']}-gram, discount {row['discount']!s:<8}  val ppl {row['val_ppl']:.3f}")
    print(f"chosen on validation: order {ngram['order']}, discount {ngram['discount']}; "
          f"test ppl {ngram['test_ppl']:.3f}")

    recurrent, log_probs = {}, {}
    for cell in MODELS:
        runs = []
        for seed in SEEDS:
            run, n_params, val, test = train_recurrent(split, cell, seed)
            runs.append(run)
            log_probs[cell, seed] = val, test
            print(f"{cell.upper():<5} seed {seed}: val {run['val_ppl']:.3f}  test {run['test_ppl']:.3f}  "
                  f"best epoch {run['best_epoch'] + 1}/{EPOCHS}  {run['seconds_per_epoch']:.1f} s/epoch")
        recurrent[cell.upper()] = {"parameters": n_params, "runs": runs,
                                   "val_ppl": mean_sd([r["val_ppl"] for r in runs]),
                                   "test_ppl": mean_sd([r["test_ppl"] for r in runs]),
                                   "seconds_per_epoch": mean_sd([r["seconds_per_epoch"] for r in runs])}
    best = min(recurrent, key=lambda name: recurrent[name]["val_ppl"]["mean"])  # chosen on validation

    mixture = []
    for seed in SEEDS:
        val, test = log_probs[best.lower(), seed]
        weight = best_mixture_weight(val, ngram_val)
        mixture.append({"seed": seed, "weight": weight, "val_ppl": ppl(mixture_log_probs(val, ngram_val, weight)),
                        "test_ppl": ppl(mixture_log_probs(test, ngram_test, weight))})
    wins = [r["test_ppl"] <= 0.97 * ngram["test_ppl"] for r in recurrent[best]["runs"]]
    # How much the verdict depends on which stretch of text is tested: both models on each tenth of the test part.
    blocks = {"ngram": block_perplexities(ngram_test),
              best: [block_perplexities(log_probs[best.lower(), seed][1]) for seed in SEEDS]}

    results = {"protocol": {"split": "time_machine_char_split(val_fraction=0.1, test_fraction=0.1)",
                            "context": CONTEXT, "test_tokens": len(split.test), "val_tokens": len(split.val)},
               "recipe": RECIPE, "training": TRAINING, "epochs": EPOCHS, "seeds": list(SEEDS),
               "orders": list(ORDERS), "discounts": list(DISCOUNTS),
               "ngram_table": table, "ngram": ngram, "recurrent": recurrent, "best_recurrent": best,
               "mixture": {"models": [best, f"KN {ngram['order']}-gram"], "runs": mixture,
                           "test_ppl": mean_sd([r["test_ppl"] for r in mixture])},
               "target_3_percent_below_ngram_every_seed": all(wins), "test_blocks": blocks,
               "provenance": source | {"wall_seconds": time.perf_counter() - wall}}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n")

    for name, r in recurrent.items():
        print(f"{name:<5} test ppl {r['test_ppl']['mean']:.3f} ± {r['test_ppl']['sd']:.3f} over {len(SEEDS)} seeds "
              f"(val {r['val_ppl']['mean']:.3f}), {r['seconds_per_epoch']['mean']:.1f} s/epoch, "
              f"{r['parameters']:,} parameters")
    m, weights = results["mixture"]["test_ppl"], ", ".join(f"{r['weight']:.2f}" for r in mixture)
    print(f"mixture {best} + KN {ngram['order']}-gram: test ppl {m['mean']:.3f} ± {m['sd']:.3f} (weights {weights})")
    print(f"{best} at least 3% below the n-gram for every seed: {all(wins)}")
    print(f"wall time {results['provenance']['wall_seconds'] / 60:.1f} min with {args.threads} threads; "
          f"wrote {args.output}")
    print(f"best n-gram test ppl: {ngram['test_ppl']:.3f} (order {ngram['order']})")
    print(f"best recurrent test ppl: {recurrent[best]['test_ppl']['mean']:.3f} ({best})")


if __name__ == "__main__":
    main()
