using SemiGan.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// Opt-in diagnostics of a run's optimizer steps (`semigan run --diagnostics N`): every Nth optimizer step, what
/// the step moved in the classifier — its losses, the loss gradient's norm, the update Adam made (its norm, its
/// largest coordinate, each weight tensor's norm and relative update), Adam's second moment, batch norm's running
/// statistics — and how well the live and the averaged weights classify the step's labeled batch and the
/// validation images, with batch norm's running statistics and with each batch's own. For finding what moves first
/// when a run collapses. It only reads: it draws no random numbers and leaves every weight, running statistic,
/// optimizer state and module mode as it found them, so a run's rows are the same with it on or off.
/// </summary>
public sealed class StepDiagnostics(int every, long stepsBefore, Action<IReadOnlyList<(string Column, double Value)>> write,
    Tensor? validationImages, Tensor? validationLabels, int evalBatchSize)
{
    long steps = stepsBefore;

    /// <summary>Log every this many optimizer steps.</summary>
    public int Every { get; } = every > 0 ? every : throw new ArgumentOutOfRangeException(nameof(every), "must be positive");

    /// <summary>Optimizer steps taken so far in the run (the step number of the last logged row, when it was logged).</summary>
    public long Steps => steps;

    /// <summary>The classifier's weights and running statistics before a step that will be logged; null for one that will not.</summary>
    public Snapshot? Before(Classifier d) => (steps + 1) % Every == 0 ? new Snapshot(d) : null;

    /// <summary>
    /// After a step (<paramref name="stepped"/>: it took an optimizer step; the weight average has moved): counts it and,
    /// when <paramref name="before"/> was taken, writes its row. <paramref name="optimizer"/> holds the classifier's
    /// weights (for Adam's moments; null: those columns are NaN); <paramref name="averaged"/> swaps the averaged weights
    /// in until disposed (null without an average); <paramref name="batch"/> is the step's labeled images and labels.
    /// </summary>
    public void After(Snapshot? before, bool stepped, int epoch, double learningRate, IReadOnlyList<string> lossNames,
        IReadOnlyList<(string Name, Tensor? Value)> losses, Classifier d, OptimizerHelper? optimizer, Func<IDisposable>? averaged,
        (Tensor Images, Tensor Labels)? batch)
    {
        if (!stepped) return;
        steps++;
        if (before is null) return;
        var row = new List<(string, double)> { ("step", steps), ("epoch", epoch), ("learning_rate", learningRate) };
        foreach (string name in lossNames)
            row.Add((name, losses.FirstOrDefault(l => l.Name == name).Value is { } v ? v.ToDouble() : double.NaN));
        using (var _ = NewDisposeScope())
        using (no_grad())
        {
            Weights(row, before, d, learningRate);
            Moments(row, d, optimizer);
            BatchNorm(row, before, d);
        }
        Accuracies(row, d, averaged, batch);
        write(row);
    }

    /// <summary>The loss gradient (as backward left it, without Adam's weight-decay term), the update, and each weight tensor's norm.</summary>
    static void Weights(List<(string, double)> row, Snapshot before, Classifier d, double lr)
    {
        double grad2 = 0, weight2 = 0, update2 = 0, updateMax = 0, overLr = 0, count = 0;
        var layers = new List<(string, double)>();
        foreach (var (name, parameter) in d.named_parameters())
        {
            // In double: a norm summed in float over ~10⁵ weights is off in its sixth digit.
            var p = parameter.to_type(ScalarType.Float64);
            var delta = p - before.Weights[name].to_type(ScalarType.Float64);
            double w = p.norm().ToDouble(), u = delta.norm().ToDouble();
            using (var g = parameter.grad) if (g is not null) grad2 += g.to_type(ScalarType.Float64).square().sum().ToDouble();
            weight2 += w * w;
            update2 += u * u;
            updateMax = Math.Max(updateMax, delta.abs().max().ToDouble());
            overLr += delta.abs().gt(lr).sum().ToDouble();
            count += p.numel();
            layers.Add(($"weight_norm:{name}", w));
            layers.Add(($"relative_update:{name}", w > 0 ? u / w : double.NaN));
        }
        row.Add(("grad_norm", Math.Sqrt(grad2)));
        row.Add(("weight_norm", Math.Sqrt(weight2)));
        row.Add(("update_norm", Math.Sqrt(update2)));
        row.Add(("relative_update", Math.Sqrt(update2 / weight2)));
        // Adam's step is lr·m̂/(√v̂+ε) per coordinate: above lr only where |m̂| outgrows √v̂ (a gradient larger than its recent history).
        row.Add(("update_max_over_lr", updateMax / lr));
        row.Add(("update_share_over_lr", overLr / count));
        row.AddRange(layers);
    }

    /// <summary>Adam's bias-corrected second moment over the classifier's weights: the mean and the smallest of √v̂.</summary>
    static void Moments(List<(string, double)> row, Classifier d, OptimizerHelper? optimizer)
    {
        double sum = 0, min = double.PositiveInfinity, count = 0;
        if (optimizer is not null)
        {
            var mine = d.parameters().Select(p => p.Handle).ToHashSet();
            // The state dictionary lists the optimizer's weights group by group, in order.
            var parameters = optimizer.ParamGroups.Cast<ParamGroup>().SelectMany(g => g.Parameters.Select(p => (Parameter: p, g.Options))).ToList();
            var states = optimizer.state_dict().State;
            for (int i = 0; i < parameters.Count && i < states.Count; i++)
            {
                if (!mine.Contains(parameters[i].Parameter.Handle) || states[i] is not TorchSharp.Modules.Adam.State s || s.step == 0
                    || parameters[i].Options is not TorchSharp.Modules.Adam.Options { beta2: { } beta2 }) continue;
                var root = (s.exp_avg_sq / (1 - Math.Pow(beta2, s.step))).sqrt();
                sum += root.sum().ToDouble();
                min = Math.Min(min, root.min().ToDouble());
                count += root.numel();
            }
        }
        row.Add(("adam_sqrt_v_mean", count > 0 ? sum / count : double.NaN));
        row.Add(("adam_sqrt_v_min", count > 0 ? min : double.NaN));
    }

    /// <summary>
    /// How far the step moved batch norm's running statistics, scale-free: the largest mean shift in running standard
    /// deviations and the largest |log| ratio of a running variance; and each layer's mean running variance.
    /// </summary>
    static void BatchNorm(List<(string, double)> row, Snapshot before, Classifier d)
    {
        double shift = 0, ratio = 0;
        var layers = new List<(string, double)>();
        foreach (var (name, b) in d.named_buffers())
        {
            if (!name.EndsWith(".running_mean")) continue;
            string layer = name[..^".running_mean".Length];
            var var = d.named_buffers().First(x => x.name == layer + ".running_var").buffer;
            var var0 = before.Buffers[layer + ".running_var"];
            shift = Math.Max(shift, ((b - before.Buffers[name]).abs() / var0.sqrt()).max().ToDouble());
            ratio = Math.Max(ratio, (var / var0).log().abs().max().ToDouble());
            layers.Add(($"bn_running_var_mean:{layer}", var.mean().ToDouble()));
        }
        row.Add(("bn_mean_shift_max", layers.Count > 0 ? shift : double.NaN));
        row.Add(("bn_var_log_ratio_max", layers.Count > 0 ? ratio : double.NaN));
        row.AddRange(layers);
    }

    /// <summary>
    /// Accuracy on the step's labeled batch and on the validation images (and the validation loss), live and averaged
    /// weights, in eval mode; then on validation with batch norm normalising by the validation batch's own statistics.
    /// </summary>
    void Accuracies(List<(string, double)> row, Classifier d, Func<IDisposable>? averaged, (Tensor Images, Tensor Labels)? batch)
    {
        foreach (var (which, swap) in new[] { ("live", (Func<IDisposable>?)null), ("averaged", averaged) })
        {
            bool absent = which == "averaged" && swap is null;
            using var swapped = swap?.Invoke();
            row.Add(($"batch_accuracy_{which}", absent || batch is not { } b ? double.NaN
                : Evaluator.Evaluate(d, b.Images, b.Labels, evalBatchSize, b.Images.device).Accuracy));
            var (accuracy, loss) = absent || validationImages is null ? (double.NaN, double.NaN)
                : Evaluator.Evaluate(d, validationImages, validationLabels!, evalBatchSize, validationImages.device);
            row.Add(($"validation_accuracy_{which}", accuracy));
            row.Add(($"validation_loss_{which}", loss));
            row.Add(($"validation_accuracy_batch_stats_{which}", absent || validationImages is null ? double.NaN : WithBatchStatistics(d)));
        }
    }

    /// <summary>Validation accuracy with dropout off and batch norm in training mode (the batch's own statistics), running statistics put back.</summary>
    double WithBatchStatistics(Classifier d)
    {
        bool wasTraining = d.training;
        using var kept = RunningStats.Keep(d, true);
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        d.eval();
        foreach (var m in d.modules()) if (m is BatchNorm1d or BatchNorm2d) m.train();
        try
        {
            var logits = SganLosses.ClassLogits(d.forward(validationImages!), d.Head);
            return logits.argmax(1).eq(validationLabels!).to_type(ScalarType.Float64).mean().ToDouble();
        }
        finally
        {
            d.eval();
            if (wasTraining) d.train();
        }
    }

    /// <summary>A classifier's weights and batch-norm running statistics, copied, by name.</summary>
    public sealed class Snapshot : IDisposable
    {
        public Dictionary<string, Tensor> Weights { get; }
        public Dictionary<string, Tensor> Buffers { get; }

        public Snapshot(Classifier d)
        {
            using var _ = no_grad();
            Weights = d.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone().DetachFromDisposeScope());
            Buffers = d.named_buffers().Where(b => b.name.EndsWith(".running_mean") || b.name.EndsWith(".running_var"))
                .ToDictionary(b => b.name, b => b.buffer.clone().DetachFromDisposeScope());
        }

        public void Dispose()
        {
            foreach (var t in Weights.Values.Concat(Buffers.Values)) t.Dispose();
        }
    }
}
