using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>A trained state, value by value: parameters, buffers, Adam moments and step counts, eval-mode outputs.</summary>
public static class Snapshot
{
    /// <summary>Each network's parameters and buffers ("discriminator norm2.running_var") and its optimizer's state per parameter.</summary>
    public static Dictionary<string, Tensor> Of(IEnumerable<(string Name, nn.Module Module)> networks,
        IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> optimizers)
    {
        var values = new Dictionary<string, Tensor>();
        var byName = optimizers.ToDictionary(o => o.Name, o => o.Optimizer);
        foreach (var (net, module) in networks)
        {
            foreach (var (name, p) in module.named_parameters()) values[$"{net} {name}"] = p.detach().clone();
            foreach (var (name, b) in module.named_buffers()) values[$"{net} {name}"] = b.clone();
            var states = byName[net].state_dict().State;
            var names = module.named_parameters().Select(p => p.name).ToList();
            Assert.Equal(names.Count, states.Count);
            for (int i = 0; i < names.Count; i++) AddAdam(values, $"{net} {names[i]}", (TorchSharp.Modules.Adam.State)states[i]);
        }
        return values;
    }

    public static void AddAdam(Dictionary<string, Tensor> values, string parameter, TorchSharp.Modules.Adam.State state)
    {
        values[$"{parameter} exp_avg"] = state.exp_avg.clone();
        values[$"{parameter} exp_avg_sq"] = state.exp_avg_sq.clone();
        values[$"{parameter} step"] = tensor(state.step);
    }

    /// <summary>‖a − b‖ / ‖b‖ in float64 (0 when both are 0).</summary>
    public static double Relative(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var (x, y) = (a.to_type(ScalarType.Float64), b.to_type(ScalarType.Float64));
        double gap = (x - y).norm().item<double>(), size = y.norm().item<double>();
        return gap == 0 ? 0 : gap / size;
    }

    /// <summary>Whether a value is a count (Adam's step, batch norm's num_batches_tracked): those must be equal.</summary>
    public static bool IsCount(string name) => name.EndsWith(" step", StringComparison.Ordinal) || name.EndsWith("num_batches_tracked", StringComparison.Ordinal);
}
