using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Kernels;

/// <summary>
/// col2im and im2col between a single-channel image [N,1,OH,OW] and its columns [N,k·k,H,W] stored
/// channels-last (memory order N,H,W,k·k: each grid position's k·k taps side by side), the layout a 1x1
/// convolution reads and writes. A stride-s transposed convolution to one channel is then a 1x1
/// convolution to k·k channels followed by <see cref="ToImage"/>, and both run on oneDNN's fast kernels.
/// torch's fold/unfold want the taps outermost ([N,k·k,H·W]) and took longer than the product itself;
/// these few hundred thousand scalar adds take ~0.1 ms.
/// </summary>
public static class ImageColumns
{
    /// <summary>Where grid position (i,j) tap (kh,kw) lands: image pixel (i·s − p + kh, j·s − p + kw).</summary>
    public sealed record Geometry(int Kernel, int Stride, int Padding, long GridHeight, long GridWidth, long ImageHeight, long ImageWidth);

    /// <summary>col2im: image[n, i·s−p+kh, j·s−p+kw] = Σ columns[n, kh·k+kw, i, j] over all (i,j,tap) landing there.</summary>
    public static Tensor ToImage(Tensor columns, Geometry g) => ColumnsFunction.apply(columns, g, true);

    /// <summary>im2col, the adjoint of <see cref="ToImage"/>: columns[n, kh·k+kw, i, j] = image[n, i·s−p+kh, j·s−p+kw] (0 outside).</summary>
    public static Tensor FromImage(Tensor image, Geometry g) => ColumnsFunction.apply(image, g, false);

    /// <summary><see cref="ToImage"/> without autograd (inside a backward pass).</summary>
    static Tensor ToImageNoGrad(Tensor columns, Geometry g)
    {
        long n = columns.shape[0];
        var dense = ChannelsLast.Is(columns) ? columns : ChannelsLast.From(columns);
        var image = empty(n, 1, g.ImageHeight, g.ImageWidth, dtype: columns.dtype, device: columns.device); // every pixel is written
        Walk(g, n, Floats(dense.permute(0, 2, 3, 1)), Floats(image), scatter: true);
        return image;
    }

    static Tensor FromImageNoGrad(Tensor image, Geometry g)
    {
        long n = image.shape[0], taps = (long)g.Kernel * g.Kernel;
        var dense = image.contiguous();
        var columns = empty(n, g.GridHeight, g.GridWidth, taps, dtype: image.dtype, device: image.device);
        Walk(g, n, Floats(columns), Floats(dense), scatter: false);
        return columns.permute(0, 3, 1, 2);
    }

    static Span<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);

    /// <summary>
    /// scatter: image += columns at each tap's pixel; else columns = image at it (0 outside). Works on an
    /// image padded by p on each side (taps then never fall outside it), so the inner loop has no branches,
    /// and for k = 4 moves each tap row as one 4-float vector.
    /// </summary>
    static void Walk(Geometry g, long n, Span<float> columns, Span<float> image, bool scatter)
    {
        int k = g.Kernel, s = g.Stride, p = g.Padding, taps = k * k;
        int gh = (int)g.GridHeight, gw = (int)g.GridWidth, ih = (int)g.ImageHeight, iw = (int)g.ImageWidth;
        // Padded to hold every tap: rows 0 .. (gh-1)·s + k - 1 (the image's own rows start at p).
        int ph = Math.Max((gh - 1) * s + k, ih + p), pw = Math.Max((gw - 1) * s + k, iw + p);
        var padded = ArrayPool<float>.Shared.Rent(ph * pw);
        try
        {
            ref float col = ref MemoryMarshal.GetReference(columns);
            ref float pad = ref padded[0];
            for (int b = 0; b < n; b++)
            {
                var img = image.Slice(b * ih * iw, ih * iw);
                Array.Clear(padded, 0, ph * pw);
                if (!scatter)
                    for (int y = 0; y < ih; y++) img.Slice(y * iw, iw).CopyTo(padded.AsSpan((y + p) * pw + p, iw));
                for (int i = 0; i < gh; i++)
                for (int j = 0; j < gw; j++)
                {
                    ref float c = ref Unsafe.Add(ref col, ((b * gh + i) * gw + j) * taps);
                    ref float corner = ref Unsafe.Add(ref pad, i * s * pw + j * s);
                    for (int kh = 0; kh < k; kh++)
                    {
                        ref float row = ref Unsafe.Add(ref corner, kh * pw);
                        ref float tap = ref Unsafe.Add(ref c, kh * k);
                        if (k == 4)
                        {
                            if (scatter) (Vector128.LoadUnsafe(ref row) + Vector128.LoadUnsafe(ref tap)).StoreUnsafe(ref row);
                            else Vector128.LoadUnsafe(ref row).StoreUnsafe(ref tap);
                        }
                        else
                        {
                            for (int kw = 0; kw < k; kw++)
                                if (scatter) Unsafe.Add(ref row, kw) += Unsafe.Add(ref tap, kw);
                                else Unsafe.Add(ref tap, kw) = Unsafe.Add(ref row, kw);
                        }
                    }
                }
                if (scatter)
                    for (int y = 0; y < ih; y++) padded.AsSpan((y + p) * pw + p, iw).CopyTo(img.Slice(y * iw, iw));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(padded);
        }
    }

    /// <summary>Whether these C# loops can take t: CPU float32 (callers fall back to torch's ops elsewhere).</summary>
    public static bool Supports(Tensor t) => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32;

    static void Check(Tensor t, string what)
    {
        if (!Supports(t)) throw new ArgumentException($"{what}: ImageColumns works on CPU float32 tensors");
    }

    /// <summary>col2im or im2col as an autograd function: each one's backward is the other (they are adjoint).</summary>
    sealed class ColumnsFunction : autograd.SingleTensorFunction<ColumnsFunction>
    {
        public override string Name => nameof(ColumnsFunction);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (input, g, toImage) = ((Tensor)vars[0], (Geometry)vars[1], (bool)vars[2]);
            Check(input, toImage ? "columns" : "image");
            ctx.save_data("geometry", g);
            ctx.save_data("toImage", toImage);
            return toImage ? ToImageNoGrad(input, g) : FromImageNoGrad(input, g);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            var g = (Geometry)ctx.get_data("geometry");
            var gradInput = (bool)ctx.get_data("toImage") ? FromImageNoGrad(grad, g) : ToImageNoGrad(grad, g);
            return [gradInput, null!, null!]; // none for the geometry and the direction
        }
    }
}
