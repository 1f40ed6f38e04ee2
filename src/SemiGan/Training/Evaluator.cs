using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>Test accuracy and cross-entropy of a discriminator's class logits, in eval mode, over all given images.</summary>
public static class Evaluator
{
    public static (double Accuracy, double Loss) Evaluate(Classifier d, Tensor images, Tensor labels, int batchSize, Device device)
    {
        var (accuracy, loss, _) = Evaluate(d, images, labels, batchSize, device, confusion: false);
        return (accuracy, loss);
    }

    /// <summary>As <see cref="Evaluate(Classifier, Tensor, Tensor, int, Device)"/>, with the confusion counts of the same pass (no second one over the images).</summary>
    public static (double Accuracy, double Loss, long[,] Confusion) EvaluateWithConfusion(Classifier d, Tensor images, Tensor labels, int batchSize, Device device)
    {
        var (accuracy, loss, m) = Evaluate(d, images, labels, batchSize, device, confusion: true);
        return (accuracy, loss, m!);
    }

    static (double Accuracy, double Loss, long[,]? Confusion) Evaluate(Classifier d, Tensor images, Tensor labels, int batchSize, Device device, bool confusion) =>
        InEval(d, () =>
        {
            long n = images.shape[0];
            int k = d.Classes;
            using var correct = zeros(1, dtype: ScalarType.Int64, device: device);
            using var lossSum = zeros(1, dtype: ScalarType.Float64, device: device);
            using var counts = confusion ? zeros(k * k, dtype: ScalarType.Int64, device: device) : null;
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long len = Math.Min(batchSize, n - start);
                var x = images.narrow(0, start, len).to(device);
                var y = labels.narrow(0, start, len).to(device);
                var logits = SganLosses.ClassLogits(d.forward(x), d.Head);
                var pred = logits.argmax(1);
                correct.add_(pred.eq(y).sum());
                lossSum.add_(nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64));
                counts?.add_((y * k + pred).bincount(null, k * k));
            }
            return (correct.item<long>() / (double)n, lossSum.item<double>() / n, counts is null ? null : ToMatrix(counts, k));
        });

    static long[,] ToMatrix(Tensor counts, int k)
    {
        long[] flat = counts.cpu().data<long>().ToArray();
        var m = new long[k, k];
        for (int i = 0; i < k * k; i++) m[i / k, i % k] = flat[i];
        return m;
    }

    /// <summary>Confusion counts [true class, predicted class] over the class logits, eval mode.</summary>
    public static long[,] Confusion(Classifier d, Tensor images, Tensor labels, int batchSize, Device device) =>
        EvaluateWithConfusion(d, images, labels, batchSize, device).Confusion;

    /// <summary>Runs <paramref name="body"/> with the network in eval mode (batch-norm running stats, no dropout) and inference mode (no autograd), then restores the mode.</summary>
    static T InEval<T>(Classifier d, Func<T> body)
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
