# xyf.R: the iris supervised-map experiment of trainer's TestSupervisedIris,
# run with R's kohonen xyf on the same stratified 80/20 splits (10 seeds,
# iris-splits.csv, written by that test). Features are z-scored with the
# training rows' mean and population standard deviation (as somgraph's
# pipeline), the species one-hot (classvec2classmat); a 6x6 hexagonal map,
# xyf's defaults otherwise (user.weights 0.5/0.5, rlen 100, online
# updates, Tanimoto distance on Y). Held-out records are placed with the X
# layer only (whatmap = 1) and take the class of their unit's Y layer.
#
#   Rscript scripts/kohonen-xyf/xyf.R [iris.csv] [iris-splits.csv]
#
# Prints one accuracy per seed, then "kohonen xyf: MEAN ± SD".
suppressMessages(library(kohonen))
args <- commandArgs(trailingOnly = TRUE)
here <- function() {
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1) dirname(f) else "."
}
iris_csv <- if (length(args) >= 1) args[1] else file.path(here(), "../../loaders/datasets/iris.csv")
splits_csv <- if (length(args) >= 2) args[2] else file.path(here(), "iris-splits.csv")
d <- read.csv(iris_csv, stringsAsFactors = FALSE)
s <- read.csv(splits_csv)
x <- as.matrix(d[, c("sepal_length", "sepal_width", "petal_length", "petal_width")])
y <- factor(d$species)
acc <- c()
for (seed in sort(unique(s$seed))) {
  v <- s$valid[s$seed == seed] == 1
  mu <- colMeans(x[!v, ])
  sdp <- apply(x[!v, ], 2, function(c) sqrt(mean((c - mean(c))^2)))
  xt <- scale(x[!v, ], mu, sdp)
  xv <- scale(x[v, ], mu, sdp)
  set.seed(seed)
  m <- xyf(xt, classvec2classmat(y[!v]), grid = somgrid(6, 6, "hexagonal"))
  # the BMU by the X layer, the class of its Y codebook vector (as
  # somgraph reads it; predict() would give NA for units no training
  # record hit)
  units <- map(m, newdata = list(xv), whatmap = 1)$unit.classif
  codes <- getCodes(m, 2)
  pred <- colnames(codes)[apply(codes[units, , drop = FALSE], 1, which.max)]
  a <- mean(pred == as.character(y[v]))
  cat(sprintf("seed %d: %.4f\n", seed, a))
  acc <- c(acc, a)
}
cat(sprintf("kohonen xyf: %.4f ± %.4f over %d seeds\n", mean(acc), sd(acc), length(acc)))
