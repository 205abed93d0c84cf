"""seqlearn: the companion package of the seqlearn course on recurrent neural networks.

One module per idea, named as the chapters name them:

- `seqlearn.text`      tokenisers by character and by word (chapter 2)
- `seqlearn.vocab`     `Vocab`: tokens <-> ids with reserved tokens and frequency cut-offs (chapter 2)
- `seqlearn.one_hot`   `one_hot` and its inverse (chapter 2)
- `seqlearn.data`      the course corpora: found, verified by sha256, cached (chapter 2 onwards)
- `seqlearn.batching`  minibatches for language modelling and padding of variable-length batches
- `seqlearn.scratch`   from-scratch NumPy RNNs, forward and backward (chapters 3-4), attention and seq2seq (chapter 10)
- `seqlearn.convert`   exact converters between the NumPy `params` dicts and PyTorch's RNN, LSTM and GRU layers
- `seqlearn.gradcheck` finite-difference gradient checks (chapter 4)
- `seqlearn.optim`     SGD, Adagrad, Adam and gradient clipping for the NumPy models
- `seqlearn.splits`    train/validation/test splits of The Time Machine and the names, used by every perplexity
- `seqlearn.ngram`     n-gram language models with add-k and (modified) Kneser-Ney smoothing (chapter 5)
- `seqlearn.metrics`   perplexity, defined once for every language model; mixtures of two; accuracy, confusion matrix
- `seqlearn.weather`   daily weather of Seattle and New York 2012-2015, verified and checked day by day (chapter 9)
- `seqlearn.windows`   forecasting windows, a chronological split without leakage, a train-fitted standardiser
- `seqlearn.forecast_baselines` persistence, climatology, a SARIMAX rolling forecast and MAE per horizon (chapter 9)
- `seqlearn.authorship` who wrote this line, Wells or Shakespeare: pieces of matched lengths and the split (chapter 9)
- `seqlearn.naive_bayes` a character n-gram naive Bayes classifier, the text-classification baseline (chapter 9)
- `seqlearn.code_tags` a real tagging task: each character of stdlib Python source tagged by token type (chapter 9)
- `seqlearn.tagging_baselines` majority-by-window tagging baselines, per-class P/R/F1, macro-F1 (chapter 9)
- `seqlearn.applied_models` PyTorch forecaster, padded-batch text classifier and (bidirectional) tagger (chapter 9)
- `seqlearn.fit`       one training loop for any model and loss: Adam, clipping, early stopping, seeded (chapter 9)
- `seqlearn.reversal`  reversing strings: the generated task where a fixed-size state runs out (chapter 10)
- `seqlearn.seq2seq_models` the PyTorch twin of the NumPy encoder-decoder with attention, greedy decoding (chapter 10)
- `seqlearn.sampling`  the one rule for choosing the next token: greedy, temperature, top-k (NumPy; chapter 5)
- `seqlearn.models`    a PyTorch RNN/LSTM/GRU language model; `check_ids`, `check_device`, `evaluating`, `generate_ids`
- `seqlearn.checkpoint` saving that model to a file and rebuilding it from there
- `seqlearn.training`  its training loop: one `training_step`, `evaluate_perplexity`, the schedule (chapters 5-8)
- `seqlearn.training_checks` the argument checks of that loop, kept apart so the loop stays short
- `seqlearn.gradient_flow` gradient norms and Jacobian products back through time, decay rates (chapter 6)
- `seqlearn.tasks`     a long-range synthetic task: recall a symbol seen `delay` steps ago (chapters 6-7)
- `seqlearn.classifier` many-to-one sequence classification in PyTorch, trained on that task (chapters 6-7)
- `seqlearn.plotting`  the plots the chapters share, such as perplexity per epoch
- `seqlearn.diagrams`  drawings of the architectures and of the unrolled network
- `seqlearn.show`      `show_source`: a notebook shows the very code it runs
- `seqlearn.exercises` automatic checkers for each chapter's exercises
- `seqlearn.checks`    the input checks every public function uses

Importing `seqlearn` is cheap: it loads no torch and touches no file or network.
"""

__version__ = "0.1.0"
