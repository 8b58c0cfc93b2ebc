using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

// PLACEHOLDER: replaced by the real command in this session's work; it must not ship.
public sealed class EvalCommand : Command<JsonSettings>
{
    public override int Execute(CommandContext context, JsonSettings settings, CancellationToken cancellationToken)
        => throw new HarkException("eval is not built yet");
}
