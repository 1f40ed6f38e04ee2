using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace SemiGan.Tests;

/// <summary>
/// The SGAN step and the supervised step written once more from their definitions, for tests: plain torch
/// ops and torch.optim.Adam on bare tensors taken from the networks' state dicts, sharing no trainer, loss or
/// network code with src (the architecture is restated here: 4x4/2/1 → 32, 4x4/2/1 → 64 + batch norm, 3x3/2/1 →
/// 128 + batch norm, LeakyReLU(0.2) and dropout after each, a linear layer; the generator: linear → batch
/// norm → ReLU → 7x7x128, 4x4/2/1 transposed → 64 + batch norm → ReLU, 4x4/2/1 transposed → 1, tanh).
/// Dropout masks come from <see cref="SharedMasks"/>, in the order the images meet each layer.
/// In <paramref name="dtype"/> (float64 for a reference free of float32 rounding); latent vectors are drawn
/// in float32 from torch's generator, one batch per step, as the trainer draws them.
/// </summary>
public sealed class PlainSgan : IDisposable
{
    const double Slope = 0.2, Momentum = 0.1, Eps = 1e-5;
    static readonly string[] DParameters = ["conv1.weight", "conv1.bias", "conv2.weight", "norm2.weight", "norm2.bias", "conv3.weight", "norm3.weight", "norm3.bias", "classifier.weight", "classifier.bias"];
    static readonly string[] GParameters = ["project.weight", "norm0.weight", "norm0.bias", "up.weight", "norm1.weight", "norm1.bias", "toImage.weight", "toImage.bias"];

    readonly Dictionary<string, Tensor> d = [], g = [];
    readonly Dictionary<string, long> batches = []; // num_batches_tracked per batch norm
    readonly TorchSharp.Modules.Adam optD;
    readonly TorchSharp.Modules.Adam? optG;
    readonly SharedMasks masks;
    readonly double dropout;
    readonly bool fakeLogit; // softmax11: an 11th, "fake" logit; gan_logit: none (fixed at 0)
    readonly ScalarType dtype;

    public PlainSgan(Dictionary<string, Tensor> discriminator, Dictionary<string, Tensor>? generator, bool fakeLogit, double dropout, SharedMasks masks,
        double lr, double beta1, double beta2, ScalarType dtype, double eps = 1e-8)
    {
        (this.fakeLogit, this.dropout, this.masks, this.dtype) = (fakeLogit, dropout, masks, dtype);
        Take(discriminator, d, DParameters);
        optD = optim.Adam(DParameters.Select(n => (Parameter)d[n]), lr, beta1, beta2, eps);
        if (generator is not null)
        {
            Take(generator, g, GParameters);
            optG = optim.Adam(GParameters.Select(n => (Parameter)g[n]), lr, beta1, beta2, eps);
        }
    }

    void Take(Dictionary<string, Tensor> state, Dictionary<string, Tensor> into, string[] parameters)
    {
        foreach (var (name, t) in state)
        {
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) { batches[Prefix(into) + name] = t.item<long>(); continue; }
            var copy = t.detach().clone().to_type(dtype);
            into[name] = parameters.Contains(name) ? new Parameter(copy) : copy;
        }
    }

    string Prefix(Dictionary<string, Tensor> net) => ReferenceEquals(net, d) ? "discriminator " : "generator ";

    Tensor Norm(Dictionary<string, Tensor> net, string layer, Tensor h, bool training)
    {
        if (training) batches[Prefix(net) + layer + ".num_batches_tracked"]++;
        return batch_norm(h, net[layer + ".running_mean"], net[layer + ".running_var"], net[layer + ".weight"], net[layer + ".bias"], training, Momentum, Eps);
    }

    /// <summary>LeakyReLU, then inverted dropout with the next shared masks: y · mask / (1 − p).</summary>
    Tensor Activation(Tensor h, bool training)
    {
        var y = leaky_relu(h, Slope);
        return training && dropout > 0 ? y * (masks.For(h).to_type(y.dtype) / (1 - dropout)) : y;
    }

    /// <summary>The discriminator's logits (10 class logits, then the fake logit under softmax11).</summary>
    public Tensor D(Tensor x, bool training = true)
    {
        var h = Activation(conv2d(x.to_type(dtype), d["conv1.weight"], d["conv1.bias"], [2, 2], [1, 1]), training);
        h = Activation(Norm(d, "norm2", conv2d(h, d["conv2.weight"], null, [2, 2], [1, 1]), training), training);
        h = Activation(Norm(d, "norm3", conv2d(h, d["conv3.weight"], null, [2, 2], [1, 1]), training), training);
        return linear(h.flatten(1), d["classifier.weight"], d["classifier.bias"]);
    }

    public Tensor G(Tensor z, bool training = true)
    {
        var h = relu(Norm(g, "norm0", linear(z.to_type(dtype), g["project.weight"]), training)).view(-1, 128, 7, 7);
        h = relu(Norm(g, "norm1", conv_transpose2d(h, g["up.weight"], null, [2, 2], [1, 1]), training));
        return conv_transpose2d(h, g["toImage.weight"], g["toImage.bias"], [2, 2], [1, 1]).tanh();
    }

    Tensor ClassLogits(Tensor output) => fakeLogit ? output.narrow(1, 0, 10) : output;

    /// <summary>log p(real|x) − log p(fake|x) = logsumexp of the class logits − the fake logit (0 under gan_logit).</summary>
    Tensor RealLogit(Tensor output) => fakeLogit ? ClassLogits(output).logsumexp(1) - output.select(1, 10) : output.logsumexp(1);

    /// <summary>Cross-entropy, −mean log softmax(class logits)[y], written out.</summary>
    Tensor CrossEntropy(Tensor output, Tensor y)
    {
        var logits = ClassLogits(output);
        return (logits.logsumexp(1) - logits.gather(1, y.unsqueeze(1)).squeeze(1)).mean();
    }

    /// <summary>
    /// One SGAN step: D minimises CE(labeled) + softplus(−r(real)) + softplus(r(G(z))), then G minimises
    /// softplus(−r(D(G(z)))) against the updated D, on the same G(z). With labeled positions (masked protocol)
    /// the labeled images are those of the real batch and their logits the real batch's; else they are a
    /// batch of their own, sent through D after the real and generated ones.
    /// </summary>
    public void SganStep(Tensor images, Tensor labels, long[] real, long[] labeled, long[]? positions)
    {
        using var scope = NewDisposeScope();
        var z = randn(real.Length, 100);
        var x = images.index_select(0, tensor(real));
        optD.zero_grad();
        var fake = G(z);
        var outReal = D(x);
        var outFake = D(fake.detach());
        var lossD = softplus(-RealLogit(outReal)).mean() + softplus(RealLogit(outFake)).mean();
        if (labeled.Length > 0)
        {
            var outLabeled = positions is null ? D(images.index_select(0, tensor(labeled))) : outReal.index_select(0, tensor(positions));
            lossD = lossD + CrossEntropy(outLabeled, labels.index_select(0, tensor(labeled)));
        }
        lossD.backward();
        optD.step();

        optG!.zero_grad();
        softplus(-RealLogit(D(fake))).mean().backward(); // D's weight gradients are taken too, and cleared at the next step
        optG.step();
    }

    /// <summary>
    /// One supervised step: cross-entropy on the labeled images; with <paramref name="wholeBatch"/>, the whole
    /// real batch goes through D and the loss is taken at the labeled positions.
    /// </summary>
    public void SupervisedStep(Tensor images, Tensor labels, long[] real, long[] labeled, long[]? positions, bool wholeBatch)
    {
        using var scope = NewDisposeScope();
        if (labeled.Length == 0) return;
        optD.zero_grad();
        var output = wholeBatch && positions is not null
            ? D(images.index_select(0, tensor(real))).index_select(0, tensor(positions))
            : D(images.index_select(0, tensor(labeled)));
        CrossEntropy(output, labels.index_select(0, tensor(labeled))).backward();
        optD.step();
    }

    /// <summary>Every parameter, buffer and Adam moment and step count, named as <see cref="Snapshot.Of"/> names them, plus eval-mode outputs.</summary>
    public Dictionary<string, Tensor> Snapshot(Tensor evalImages, Tensor? evalZ)
    {
        var values = new Dictionary<string, Tensor>();
        void Network(string net, Dictionary<string, Tensor> state, string[] parameters, TorchSharp.Modules.Adam opt)
        {
            foreach (var (name, t) in state) values[$"{net} {name}"] = t.detach().clone();
            foreach (var (key, n) in batches.Where(b => b.Key.StartsWith(net + " ", StringComparison.Ordinal))) values[key] = tensor(n);
            var states = opt.state_dict().State;
            for (int i = 0; i < parameters.Length; i++)
                Tests.Snapshot.AddAdam(values, $"{net} {parameters[i]}", (TorchSharp.Modules.Adam.State)states[i]);
        }
        Network("discriminator", d, DParameters, optD);
        if (optG is not null) Network("generator", g, GParameters, optG);
        using (no_grad())
        {
            values["discriminator eval output"] = D(evalImages, training: false);
            if (optG is not null && evalZ is not null) values["generator eval output"] = G(evalZ, training: false);
        }
        return values;
    }

    public void Dispose()
    {
        optD.Dispose(); optG?.Dispose();
        foreach (var t in d.Values.Concat(g.Values)) t.Dispose();
    }
}
