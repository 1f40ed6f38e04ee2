using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>The precision convolutions and linear layers compute in (<c>--precision</c>).</summary>
public enum Precision { Fp32, Bf16 }

/// <summary>
/// Mixed precision as <c>torch.autocast</c> does it (TorchSharp has none): inside <see cref="Use"/>, every
/// convolution and linear layer of the networks computes in bfloat16 from bfloat16 copies of its float32
/// weights. The plain calls hand float32 on; the <c>…Low</c> calls (the fast path's hidden layers) hand
/// bfloat16 on, so the batch norm, activation and dropout after them read and write bfloat16 (batch norm with
/// float32 statistics and parameters, as autocast leaves it) and the next layer takes it without a cast.
/// The weights the optimizer updates (the master weights), the logits, losses, softmax, logsumexp, Adam and the
/// weight average stay float32; autograd carries the gradients back through the casts to the float32 weights.
/// The setting flows with the calling context (an <see cref="AsyncLocal{T}"/>), so a run sets it once and
/// concurrent tests do not see each other's.
/// </summary>
public static class Autocast
{
    static readonly AsyncLocal<Precision> current = new();

    public static Precision Current => current.Value;
    public static bool Bf16 => current.Value == Precision.Bf16;

    /// <summary>Computes in <paramref name="precision"/> until the returned scope is disposed.</summary>
    public static IDisposable Use(Precision precision)
    {
        var before = current.Value;
        current.Value = precision;
        return new Restore(before);
    }

    sealed class Restore(Precision before) : IDisposable
    {
        public void Dispose() => current.Value = before;
    }

    /// <summary>
    /// Does this CPU compute bf16 natively (AVX512-BF16 or AMX)? Elsewhere libtorch emulates it, slower than float32.
    /// Read from /proc/cpuinfo's flags (Linux); on other systems not known, so false.
    /// </summary>
    public static bool CpuHasBf16 => CpuHasBf16Override ?? cpuHasBf16.Value;

    /// <summary>Test-only: what <see cref="CpuHasBf16"/> answers instead of the CPU's flags (null: the flags).</summary>
    public static bool? CpuHasBf16Override { get; set; }

    static readonly Lazy<bool> cpuHasBf16 = new(() =>
    {
        try
        {
            return File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").Any(line => line.StartsWith("flags", StringComparison.Ordinal)
                && line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(f => f is "avx512_bf16" or "amx_bf16"));
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    });

    /// <summary>t in the compute precision (bfloat16 inside a bf16 scope; a float32 tensor otherwise unchanged).</summary>
    public static Tensor? Low(Tensor? t) => t is not null && Bf16 && t.dtype == ScalarType.Float32 ? t.to_type(ScalarType.BFloat16) : t;

    /// <summary>A result back in float32 (a no-op outside a bf16 scope).</summary>
    public static Tensor High(Tensor t) => t.dtype == ScalarType.BFloat16 ? t.to_type(ScalarType.Float32) : t;

    public static Tensor Linear(Linear layer, Tensor x) => High(LinearLow(layer, x));

    /// <summary>The linear layer in the compute precision, its output left there (bfloat16 inside a bf16 scope).</summary>
    public static Tensor LinearLow(Linear layer, Tensor x) =>
        Bf16 ? nn.functional.linear(Low(x)!, Low(layer.weight)!, Low(layer.bias)) : layer.forward(x);

    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias) =>
        Bf16 ? High(nn.functional.linear(Low(x)!, Low(weight)!, Low(bias))) : nn.functional.linear(x, weight, bias);

    /// <summary>
    /// libtorch 2.10's bf16 CPU convolutions compute wrong values (14-70 % off) when a side has few channels: outputs
    /// with fewer than 16 channels, a transposed convolution from 3, the input gradient of a convolution from 1
    /// (Bf16Tests). So a convolution computes in bfloat16 only with at least 16 channels in and out; others (the
    /// first discriminator layer, the reference generator's last) stay float32. They are the cheap ones.
    /// </summary>
    public const int Bf16MinChannels = 16;

    static bool Bf16Convolution(long inChannels, long outChannels) => Bf16 && inChannels >= Bf16MinChannels && outChannels >= Bf16MinChannels;

    public static Tensor Conv2d(Conv2d layer, Tensor x) => High(Conv2dLow(layer, x));

    /// <summary>The convolution in the compute precision, its output left there (a float32 input to a float32 layer stays float32).</summary>
    public static Tensor Conv2dLow(Conv2d layer, Tensor x) =>
        Bf16Convolution(layer.in_channels, layer.out_channels)
            ? nn.functional.conv2d(Low(x)!, Low(layer.weight)!, Low(layer.bias), layer.stride, layer.padding!, layer.dilation, layer.groups)
            : layer.forward(High(x));

    /// <summary>conv2d with square stride and padding (weight [out, in, k, k]), in the compute precision.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, long stride = 1, long padding = 0) =>
        Bf16Convolution(weight.shape[1], weight.shape[0])
            ? High(nn.functional.conv2d(Low(x)!, Low(weight)!, Low(bias), [stride, stride], [padding, padding]))
            : nn.functional.conv2d(High(x), weight, bias, [stride, stride], [padding, padding]);

    public static Tensor ConvTranspose2d(ConvTranspose2d layer, Tensor x) => High(ConvTranspose2dLow(layer, x));

    /// <summary>The transposed convolution in the compute precision, its output left there.</summary>
    public static Tensor ConvTranspose2dLow(ConvTranspose2d layer, Tensor x) =>
        Bf16Convolution(layer.in_channels, layer.out_channels)
            ? nn.functional.conv_transpose2d(Low(x)!, Low(layer.weight)!, Low(layer.bias), layer.stride, layer.padding!, layer.output_padding, layer.dilation, layer.groups)
            : layer.forward(High(x));

    /// <summary>conv_transpose2d with square stride and padding (weight [in, out, k, k]), in the compute precision.</summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias, long stride, long padding) =>
        Bf16Convolution(weight.shape[0], weight.shape[1])
            ? High(nn.functional.conv_transpose2d(Low(x)!, Low(weight)!, Low(bias), [stride, stride], [padding, padding]))
            : nn.functional.conv_transpose2d(High(x), weight, bias, [stride, stride], [padding, padding]);
}
