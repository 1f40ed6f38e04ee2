using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>
/// A linear layer with weight normalisation (Salimans and Kingma, 2016): each output unit's weight row is
/// w_i = g_i · v_i / ‖v_i‖, so its length g_i is learned apart from its direction v_i. TorchSharp has no
/// nn.utils.weight_norm, hence this module. Initialised as the Sleepychord port does (no data-dependent
/// init): v ~ N(0, 0.05²), g = 1, b = 0.
/// </summary>
public sealed class WeightNormLinear : nn.Module<Tensor, Tensor>
{
    public readonly Parameter v, g, b;

    public WeightNormLinear(int inputs, int outputs) : base(nameof(WeightNormLinear))
    {
        v = new Parameter(randn(outputs, inputs) * 0.05);
        g = new Parameter(ones(outputs));
        b = new Parameter(zeros(outputs));
        RegisterComponents();
    }

    /// <summary>The effective weight [out, in]: g · v / ‖v‖ per row.</summary>
    public Tensor Weight() => v * (g / v.norm(1, keepdim: false)).unsqueeze(1);

    public override Tensor forward(Tensor x) => Autocast.Linear(x, Weight(), b);
}
