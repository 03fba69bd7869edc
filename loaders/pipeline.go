package loaders

// Pipeline is the fitted preprocessing (fill-missing, normalize, encode)
// that turns raw table rows into encoded records and back. It is stored with
// a trained model. (Being built: see issue 4.)
type Pipeline struct{}
