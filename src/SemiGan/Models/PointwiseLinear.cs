using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>
/// A linear layer, x·Wᵀ + b, computed as a 1x1 convolution: the batch's rows as the pixels of two
/// channels-last images [2, in, 1, B/2]. On CPU that runs on oneDNN's convolution kernels, which split
/// the two images between threads, instead of the BLAS libtorch links; for the generator's 100 → 6272
/// layer at batch 100, forward and weight gradient took 1.3 ms instead of 2.0 ms (on an AMD EPYC, where
/// that BLAS, MKL, runs at half oneDNN's speed). Same sums; odd batches and other devices use linear.
/// </summary>
public static class PointwiseLinear
{
    public static Tensor Forward(Tensor x, Tensor weight, Tensor? bias)
    {
        long batch = x.shape[0], inputs = x.shape[1], outputs = weight.shape[0];
        if (x.dim() != 2 || batch % 2 != 0 || x.device_type != DeviceType.CPU || !x.is_contiguous())
            return nn.functional.linear(x, weight, bias);
        var images = x.view(2, 1, batch / 2, inputs).permute(0, 3, 1, 2);       // channels-last, a view
        var y = nn.functional.conv2d(images, weight.view(outputs, inputs, 1, 1), bias); // [2, out, 1, B/2]
        return y.permute(0, 2, 3, 1).reshape(batch, outputs);                  // a view when y is channels-last
    }
}
