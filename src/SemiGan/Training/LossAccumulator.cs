using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// Sums a scalar loss across steps as a tensor (in place, no per-step host sync); read once per epoch.
/// </summary>
public sealed class LossAccumulator : IDisposable
{
    readonly Tensor sum;
    public int Count { get; private set; }

    public LossAccumulator(Device device) { sum = zeros(1, dtype: ScalarType.Float64, device: device); }

    public void Add(Tensor loss) { sum.add_(loss.detach().to_type(ScalarType.Float64)); Count++; }

    public double? Mean => Count == 0 ? null : sum.item<double>() / Count;

    public void Dispose() => sum.Dispose();
}
