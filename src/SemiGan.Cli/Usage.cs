using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SemiGan.Cli;

/// <summary>
/// Command-line values checked while parsing, and the one line printed for a command line the parser refused
/// (unknown option or command, missing argument, option without its value, malformed or out-of-range number):
/// it names the argument and the fix; never the help text.
/// </summary>
public static partial class Usage
{
    /// <summary>An example of every option, used in the fix a message suggests.</summary>
    public static readonly IReadOnlyDictionary<string, string> Examples = new Dictionary<string, string>
    {
        ["--seeds"] = "--seeds 1,2,3",
        ["--epochs"] = "--epochs 10",
        ["--out"] = "--out results/mine",
        ["--data"] = "--data data/mnist",
        ["--device"] = "--device cpu",
        ["--threads"] = "--threads 2",
        ["--shard"] = "--shard 2/4",
        ["--fast-path"] = "--fast-path auto",
        ["--precision"] = "--precision bf16",
        ["--diagnostics"] = "--diagnostics 10",
        ["--jobs"] = "--jobs 2",
        ["--dataset"] = "--dataset fashion-mnist",
        ["--dir"] = "--dir data/mnist",
        ["--last-epochs"] = "--last-epochs 3",
        ["--index"] = "--index results/index.csv",
        ["--steps"] = "--steps 20",
        ["--repeats"] = "--repeats 5",
        ["--json"] = "--json bench.json",
        ["--set"] = "--set learningRate=0.001",
        ["--bench"] = "--bench results/bench.json",
        ["--restart-run"] = "--restart-run sgan-mnist-masked-gan_logit-labels-100-seed-1",
    };

    static string Example(string option) => Examples.TryGetValue(option, out var e) ? e : option + " <value>";

    /// <summary>An optional positive whole-number option; anything else is a parse error naming it.</summary>
    public static Option<int?> PositiveInt(string name, string description) =>
        new(name) { Description = description, CustomParser = r => ParsePositive(r, name) };

    /// <summary>A positive whole-number option with a default.</summary>
    public static Option<int> PositiveInt(string name, string description, int defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => ParsePositive(r, name) ?? defaultValue };

    static int? ParsePositive(ArgumentResult r, string name)
    {
        if (r.Tokens.Count != 1) return null; // none or several: the parser reports it
        string s = r.Tokens[0].Value;
        string fix = $"give a positive integer, e.g. {Example(name)}";
        if (!WholeNumber().IsMatch(s)) r.AddError($"{name}: '{s}' is not a whole number; {fix}");
        else if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            r.AddError($"{name}: {s} is too large (at most {int.MaxValue}); {fix}");
        else if (v <= 0) r.AddError($"{name}: {v} is not positive; {fix}");
        else return v;
        return null;
    }

    [GeneratedRegex(@"^\s*[+-]?[0-9]+\s*$")]
    private static partial Regex WholeNumber();

    /// <summary>Checks a string option while parsing: <paramref name="check"/> returns the message for a bad value, else null.</summary>
    public static T Checked<T>(this T option, Func<string, string?> check) where T : Option
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && check(r.Tokens[0].Value) is { } message) r.AddError(message);
        });
        return option;
    }

    /// <summary>Checks every value of a repeatable string option while parsing, as <see cref="Checked{T}"/> does a single one.</summary>
    public static T CheckedEach<T>(this T option, Func<string, string?> check) where T : Option
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Select(t => check(t.Value)).FirstOrDefault(m => m is not null) is { } message) r.AddError(message);
        });
        return option;
    }

    /// <summary>--seeds: null when <paramref name="s"/> is a comma-separated list of 32-bit integers, else the message.</summary>
    public static string? SeedsError(string s)
    {
        const string fix = "give comma-separated whole numbers, e.g. --seeds 1,2,3";
        var parts = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return $"--seeds: '{s}' lists no seed; {fix}";
        var seen = new HashSet<int>();
        foreach (string p in parts)
        {
            if (!WholeNumber().IsMatch(p)) return $"--seeds: '{p}' is not a whole number; {fix}";
            if (!int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed))
                return $"--seeds: {p} is out of range (a seed lies between {int.MinValue} and {int.MaxValue}); {fix}";
            if (!seen.Add(seed)) return $"--seeds: {seed} is given twice; give each seed once, e.g. --seeds 1,2,3";
        }
        return null;
    }

    /// <summary>The one line (without the "semigan: error: " prefix) for a parse that failed.</summary>
    public static string Describe(ParseResult r)
    {
        var commandResult = r.CommandResult;
        var command = commandResult.Command;
        string path = CommandPath(commandResult);
        string help = $"'{path} --help' describes them";

        // Our own checks (numbers, --seeds, --shard, an option where an argument goes): their messages already name the argument and the fix.
        foreach (var e in r.Errors)
            if (OptionOf(e.SymbolResult) is { } o && e.Message.StartsWith(o.Option.Name + ":", StringComparison.Ordinal)
                || e.SymbolResult is ArgumentResult && e.Message.StartsWith("semigan", StringComparison.Ordinal))
                return e.Message;
        // Errors of the command line as a whole (e.g. a directive).
        if (r.Errors.FirstOrDefault(e => e.SymbolResult is null) is { } whole)
            return $"{path}: {OneLine(whole.Message).TrimEnd('.')}; {help}.";

        // Tokens nothing took: an unknown option or command, or one argument too many.
        if (r.UnmatchedTokens.Count > 0)
        {
            string token = r.UnmatchedTokens[0];
            if (token.StartsWith('-') && token.Length > 1) return UnknownOption(commandResult, token);
            if (command.Subcommands.Count > 0)
                return $"{path}: unknown command '{token}'{DidYouMean(token, command.Subcommands.Select(c => c.Name))}; " +
                       $"the commands are {string.Join(", ", command.Subcommands.Select(c => c.Name))} ({help}).";
            return $"{path}: unexpected argument '{token}'; usage: {UsageLine(commandResult)} ({help}).";
        }

        // An option without its value, or given more than once.
        foreach (var e in r.Errors)
            if (OptionOf(e.SymbolResult) is { IdentifierToken: not null } o)
            {
                string name = o.Option.Name;
                if (o.Tokens.Count == 0) return $"{name}: no value given; put one after it, e.g. {Example(name)}.";
                if (o.Tokens.Count > 1)
                    return $"{name}: given {o.Tokens.Count} values ({string.Join(", ", o.Tokens.Select(t => $"'{t.Value}'"))}); give it once, e.g. {Example(name)}.";
            }

        // A command missing its argument, a required option or its subcommand.
        foreach (var a in command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0))
            if (commandResult.GetResult(a) is not { Tokens.Count: > 0 })
                return $"{path}: missing <{a.Name}>{Described(a.Description)}; usage: {UsageLine(commandResult)}.";
        foreach (var o in command.Options.Where(o => o.Required))
            if (commandResult.GetResult(o) is not { IdentifierToken: not null })
                return $"{path}: missing {o.Name}, e.g. {Example(o.Name)}; usage: {UsageLine(commandResult)}.";
        if (command.Subcommands.Count > 0 && command.Action is null)
            return $"{path}: no command given; the commands are {string.Join(", ", command.Subcommands.Select(c => c.Name))}, " +
                   $"e.g. {path} {command.Subcommands[0].Name} ({help}).";

        // Anything else: the parser's own words, on one line.
        string message = r.Errors.Count > 0 ? OneLine(r.Errors[0].Message).TrimEnd('.') : "cannot parse the command line";
        return $"{path}: {message}; {help}.";
    }

    static string UnknownOption(CommandResult c, string token)
    {
        var names = c.Command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Concat(GlobalOptions(c));
        string path = CommandPath(c);
        return $"{path}: unknown option '{token}'{DidYouMean(token, names)}; '{path} --help' describes them.";
    }

    /// <summary>
    /// The parser takes a token it does not know as an option ("--fo") for an argument when one is still missing:
    /// such a token is refused as an unknown option unless a file or folder of that name exists.
    /// </summary>
    public static void RefuseOptionsAsArguments(Command command)
    {
        foreach (var a in command.Arguments)
            a.Validators.Add(r =>
            {
                foreach (var t in r.Tokens)
                    if (t.Value.StartsWith('-') && t.Value.Length > 1 && !File.Exists(t.Value) && !Directory.Exists(t.Value) && r.Parent is CommandResult c)
                    {
                        r.AddError(UnknownOption(c, t.Value));
                        return;
                    }
            });
        foreach (var sub in command.Subcommands) RefuseOptionsAsArguments(sub);
    }

    static string Described(string? description) =>
        description is { Length: > 0 } d ? ": " + char.ToLowerInvariant(d[0]) + d[1..].TrimEnd('.') : "";

    static OptionResult? OptionOf(SymbolResult? s) => s switch
    {
        OptionResult o => o,
        ArgumentResult { Parent: OptionResult o } => o,
        _ => null,
    };

    static IEnumerable<string> GlobalOptions(CommandResult c) =>
        c.Parent is CommandResult p ? p.Command.Options.Where(o => o.Recursive).SelectMany(o => o.Aliases.Prepend(o.Name)).Concat(GlobalOptions(p)) : [];

    /// <summary>"semigan run", "semigan data fetch".</summary>
    static string CommandPath(CommandResult c)
    {
        var names = new List<string>();
        for (SymbolResult? s = c; s is CommandResult cr; s = cr.Parent) names.Add(cr.Parent is null ? "semigan" : cr.Command.Name);
        names.Reverse();
        return string.Join(" ", names);
    }

    static string UsageLine(CommandResult c)
    {
        var parts = new List<string> { CommandPath(c) };
        parts.AddRange(c.Command.Arguments.Select(a => a.Arity.MaximumNumberOfValues > 1 ? $"<{a.Name}>..." : $"<{a.Name}>"));
        parts.AddRange(c.Command.Options.Where(o => o.Required).Select(o => $"{o.Name} <{o.Name.TrimStart('-')}>"));
        if (c.Command.Options.Any(o => !o.Required && !o.Hidden)) parts.Add("[options]");
        return string.Join(" ", parts);
    }

    static string DidYouMean(string token, IEnumerable<string> candidates)
    {
        var best = candidates.Distinct()
            .Select(c => (c, d: Distance(token, c)))
            .Where(x => x.d <= 2 || (token.Length >= 4 && x.c.StartsWith(token, StringComparison.Ordinal)))
            .OrderBy(x => x.d).Select(x => x.c).FirstOrDefault();
        return best is null ? "" : $" (did you mean {best}?)";
    }

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    public static string OneLine(string s) => string.Join(" ", s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
