namespace SemiGan.Models;

/// <summary>How the discriminator expresses the K+1-th ("fake") class.</summary>
public enum KPlusOneHead
{
    /// <summary>10 class logits; the fake logit is fixed at 0, so real-vs-fake logit = logsumexp(class logits) (Salimans et al. 2016).</summary>
    GanLogit,
    /// <summary>An explicit 11th logit for "fake"; softmax over all 11 (Odena 2016).</summary>
    Softmax11,
}

public static class KPlusOneHeadNames
{
    public static string Name(this KPlusOneHead h) => h == KPlusOneHead.GanLogit ? "gan_logit" : "softmax11";

    public static KPlusOneHead Parse(string s) => s switch
    {
        "gan_logit" => KPlusOneHead.GanLogit,
        "softmax11" => KPlusOneHead.Softmax11,
        _ => throw new ArgumentException($"head: '{s}' is not one of gan_logit, softmax11."),
    };

    /// <summary>Discriminator outputs for a head: the class logits, plus one fake logit for softmax11.</summary>
    public static int Outputs(this KPlusOneHead h, int classes) => h == KPlusOneHead.GanLogit ? classes : classes + 1;
}
