using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>Test accuracy and cross-entropy of a discriminator's 10 class logits, in eval mode, over all given images.</summary>
public static class Evaluator
{
    public static (double Accuracy, double Loss) Evaluate(Discriminator d, Tensor images, Tensor labels, int batchSize, Device device) =>
        InEval(d, () =>
        {
            long n = images.shape[0];
            using var correct = zeros(1, dtype: ScalarType.Int64, device: device);
            using var lossSum = zeros(1, dtype: ScalarType.Float64, device: device);
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long len = Math.Min(batchSize, n - start);
                var x = images.narrow(0, start, len).to(device);
                var y = labels.narrow(0, start, len).to(device);
                var logits = SganLosses.ClassLogits(d.forward(x));
                correct.add_(logits.argmax(1).eq(y).sum());
                lossSum.add_(nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64));
            }
            return (correct.item<long>() / (double)n, lossSum.item<double>() / n);
        });

    /// <summary>Confusion counts [true class, predicted class] over the 10 class logits, eval mode.</summary>
    public static long[,] Confusion(Discriminator d, Tensor images, Tensor labels, int batchSize, Device device) =>
        InEval(d, () =>
        {
            using var counts = zeros(100, dtype: ScalarType.Int64, device: device);
            long n = images.shape[0];
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long len = Math.Min(batchSize, n - start);
                var y = labels.narrow(0, start, len).to(device);
                var pred = SganLosses.ClassLogits(d.forward(images.narrow(0, start, len).to(device))).argmax(1);
                counts.add_((y * 10 + pred).bincount(null, 100));
            }
            long[] flat = counts.cpu().data<long>().ToArray();
            var m = new long[10, 10];
            for (int i = 0; i < 100; i++) m[i / 10, i % 10] = flat[i];
            return m;
        });

    /// <summary>Runs <paramref name="body"/> with the network in eval mode (batch-norm running stats, no dropout) and inference mode (no autograd), then restores the mode.</summary>
    static T InEval<T>(Discriminator d, Func<T> body)
    {
        bool wasTraining = d.training;
        d.eval();
        try
        {
            using var _ = inference_mode(); // lighter than no_grad: no version counters or view tracking
            return body();
        }
        finally
        {
            if (wasTraining) d.train();
        }
    }
}
