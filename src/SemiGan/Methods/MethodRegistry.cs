namespace SemiGan.Methods;

/// <summary>Every method the harness can run, in legend order (which also fixes each one's chart colour).</summary>
public static class MethodRegistry
{
    public static readonly IReadOnlyList<IMethod> All =
    [
        new Sgan(),
        new Baseline(),
        new Supervised(),
        new FmGan(),
        new PseudoLabel(),
        new MeanTeacher(),
        new Vat(),
        new FixMatch(),
    ];

    /// <summary>The method others are compared with when an experiment names none.</summary>
    public static IMethod DefaultReference => All[1];

    /// <summary>The methods trained when an experiment names none: the seed's comparison, SGAN against its baseline (fixed, so a new method changes no existing experiment).</summary>
    public static string[] DefaultNames => [All[0].Name, All[1].Name];

    public static string Names => string.Join(", ", All.Select(m => m.Name));

    public static IMethod? Find(string name) => All.FirstOrDefault(m => m.Name == name);

    public static IMethod Get(string name) =>
        Find(name) ?? throw new ArgumentException($"unknown method '{name}'; known: {Names}", nameof(name));

    /// <summary>Position in the registry (legend order, colour), unknown names last.</summary>
    public static int Order(string name) => Find(name) is { } m ? All.ToList().IndexOf(m) : All.Count;

    /// <summary>The display name of a method, or the name itself for one this build does not know (older results).</summary>
    public static string DisplayName(string name) => Find(name)?.DisplayName ?? name;
}
