using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SemiGan.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemiGan.Kernels;

/// <summary>
/// TorchSharp's Adam with its CPU update done in one pass per weight tensor instead of eight tensor ops
/// (each a full pass, two of them allocating): same state, same arithmetic, same checkpoint format (the
/// class is also named Adam, which TorchSharp's state files record). Falls back to the base step for
/// anything else: other devices or dtypes, AMSGrad, maximize, weight decay, a closure.
/// </summary>
public sealed class Adam(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double weightDecay = 0)
    : TorchSharp.Modules.Adam(parameters, lr, beta1, beta2, weight_decay: weightDecay)
{
    /// <summary>This optimizer for the fast implementation, TorchSharp's own for the reference one.</summary>
    public static TorchSharp.Modules.Adam For(Implementation implementation, IEnumerable<Parameter> parameters,
        double lr, double beta1, double beta2, double weightDecay = 0) =>
        implementation == Implementation.Fast
            ? new Adam(parameters, lr, beta1, beta2, weightDecay)
            : optim.Adam(parameters, lr, beta1, beta2, weight_decay: weightDecay);

    /// <summary>
    /// Before a backward pass. Fast: drop the gradient tensors (backward then writes fresh ones instead of
    /// adding into zeros: two passes over every weight saved). Reference: the optimizer's zero_grad.
    /// </summary>
    public static void ClearGradients(Implementation implementation, nn.Module module, OptimizerHelper optimizer)
    {
        if (implementation == Implementation.Fast) module.zero_grad(set_to_none: true);
        else optimizer.zero_grad();
    }

    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (closure is not null || !_parameter_groups.All(CanFuse)) return base.step(closure);
        using var _ = no_grad();
        foreach (var group in _parameter_groups)
        {
            var o = (Options)group.Options;
            double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, eps = o.eps!.Value, lr = o.LearningRate!.Value;
            foreach (var param in group.Parameters)
            {
                using var grad = param.grad;
                if (grad is null) continue;
                var state = (State)_state[param.Handle];
                state.step += 1;
                double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
                double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
                using var g = grad.contiguous();
                Update(Floats(param), Floats(g), Floats(state.exp_avg), Floats(state.exp_avg_sq),
                    (float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2),
                    (float)Math.Sqrt(biasCorrection2), (float)eps, (float)(-lr / biasCorrection1));
            }
        }
        return null!;
    }

    static bool CanFuse(TorchSharp.Modules.ParamGroup group)
    {
        var o = (Options)group.Options;
        return o.amsgrad != true && o.maximize != true && (o.weight_decay ?? 0) == 0
            && group.Parameters.All(p => p.device_type == DeviceType.CPU && p.dtype == ScalarType.Float32 && p.is_contiguous());
    }

    static Span<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);

    /// <summary>
    /// m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  p += −(lr/bc1) · m / (√v / √bc2 + ε)
    /// — TorchSharp's Adam.step, operation for operation, in float.
    /// </summary>
    static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float b1, float a1, float b2, float a2, float sqrtBc2, float eps, float negStep)
    {
        int n = p.Length, i = 0;
        ref float rp = ref MemoryMarshal.GetReference(p), rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetReference(m), rv = ref MemoryMarshal.GetReference(v);
        var vb1 = Vector256.Create(b1); var va1 = Vector256.Create(a1);
        var vb2 = Vector256.Create(b2); var va2 = Vector256.Create(a2);
        var vs = Vector256.Create(sqrtBc2); var ve = Vector256.Create(eps); var vl = Vector256.Create(negStep);
        for (; i + 8 <= n; i += 8)
        {
            var gi = Vector256.LoadUnsafe(ref rg, (nuint)i);
            var mi = Vector256.LoadUnsafe(ref rm, (nuint)i) * vb1 + va1 * gi;
            var vi = Vector256.LoadUnsafe(ref rv, (nuint)i) * vb2 + va2 * gi * gi;
            var pi = Vector256.LoadUnsafe(ref rp, (nuint)i) + vl * mi / (Vector256.Sqrt(vi) / vs + ve);
            mi.StoreUnsafe(ref rm, (nuint)i);
            vi.StoreUnsafe(ref rv, (nuint)i);
            pi.StoreUnsafe(ref rp, (nuint)i);
        }
        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref rg, i);
            float mi = Unsafe.Add(ref rm, i) * b1 + a1 * gi;
            float vi = Unsafe.Add(ref rv, i) * b2 + a2 * gi * gi;
            Unsafe.Add(ref rm, i) = mi;
            Unsafe.Add(ref rv, i) = vi;
            Unsafe.Add(ref rp, i) += negStep * mi / (MathF.Sqrt(vi) / sqrtBc2 + eps);
        }
    }
}
