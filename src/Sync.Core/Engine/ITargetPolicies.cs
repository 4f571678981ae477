using MessageSync.Core.Model;
using MessageSync.Core.Routing;

namespace MessageSync.Core.Engine;

/// <summary>The per-target policies in force (from configuration, current on every call).</summary>
public interface ITargetPolicies
{
    TargetPolicy PolicyFor(SystemId target);
}
