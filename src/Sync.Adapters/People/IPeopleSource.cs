namespace MessageSync.Adapters.People;

/// <summary>The people in force now (<c>Sync:People</c>, current after every valid reload).</summary>
public interface IPeopleSource
{
    PeopleDirectory Current { get; }
}
