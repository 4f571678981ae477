using MessageSync.Adapters.Cord;
using MessageSync.Adapters.People;
using MessageSync.Adapters.Pylon;
using MessageSync.Core.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MessageSync.Adapters.Tests;

public class PeopleDirectoryTests
{
    private static readonly Person Ana = new()
    {
        Name = "Ana Ruiz", Email = "ana@example.com", PylonContactId = "contact_ana", HelpdeskAuthorId = "customer_1", CordUserId = "cord_ana",
    };

    private static readonly Person Dana = new() { Name = "Dana Agent", Email = "dana@example.com", PylonUserId = "usr_dana", HelpdeskAuthorId = "agent_1", CordUserId = "cord_dana" };

    private static Core.Model.CanonicalMessage From(SystemId origin, Author author) => Canon.Message(MessageKind.CustomerMessage, origin: origin, author: author);

    [Theory]
    [InlineData(SystemId.Helpdesk, "customer_1", false, "Ana Ruiz")]
    [InlineData(SystemId.Helpdesk, "agent_1", false, "Dana Agent")]
    [InlineData(SystemId.Cord, "cord_dana", false, "Dana Agent")]
    [InlineData(SystemId.Pylon, "contact_ana", true, "Ana Ruiz")]
    [InlineData(SystemId.Pylon, "usr_dana", false, "Dana Agent")]
    [InlineData(SystemId.Pylon, "usr_dana", true, null)]
    [InlineData(SystemId.Pylon, "contact_ana", false, null)]
    [InlineData(SystemId.Cord, "customer_1", false, null)]
    public void The_author_is_found_by_their_id_in_the_system_the_message_came_from(SystemId origin, string id, bool customer, string? expected)
    {
        var people = new PeopleDirectory([Ana, Dana]);
        Assert.Equal(expected, people.AuthorOf(From(origin, new Author(id, ExternalId: id, IsCustomer: customer)))?.Name);
    }

    [Fact]
    public void Without_a_known_id_the_author_is_found_by_e_mail_whatever_its_case()
    {
        var people = new PeopleDirectory([Ana, Dana]);
        Assert.Equal("Ana Ruiz", people.AuthorOf(From(SystemId.Pylon, new Author("A", "ANA@Example.com", "contact_other", IsCustomer: true)))?.Name);
        Assert.Null(people.AuthorOf(From(SystemId.Pylon, new Author("B", "bob@example.com", "contact_bob", IsCustomer: true))));
    }

    [Fact]
    public void A_named_request_shows_the_configured_name_and_fills_a_missing_e_mail()
    {
        var people = new PeopleDirectory([Ana]);
        var request = Canon.Write(Canon.Link(), From(SystemId.Helpdesk, new Author("customer_1", ExternalId: "customer_1", IsCustomer: true)));

        var named = people.Named(request);

        Assert.Equal(new Author("Ana Ruiz", "ana@example.com", "customer_1", IsCustomer: true), named.Message.Author);
        Assert.Same(request, PeopleDirectory.Empty.Named(request));
    }

    [Fact]
    public void The_deprecated_maps_still_work_after_sync_people_which_wins_and_one_warning_names_them()
    {
        var services = new ServiceCollection();
        var log = new ListLogger();
        services.AddSingleton<ILoggerFactory>(new ListLoggerFactory(log));
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(Options.Create(new PylonOptions
        {
            UserIdsByEmail = new(StringComparer.OrdinalIgnoreCase) { ["dana@example.com"] = "usr_legacy", ["lee@example.com"] = "usr_lee" },
            ContactIdsByEmail = new(StringComparer.OrdinalIgnoreCase) { ["lee@example.com"] = "contact_lee" },
        }));
        services.AddSingleton(Options.Create(new CordOptions { UserIdsByEmail = new(StringComparer.OrdinalIgnoreCase) { ["lee@example.com"] = "cord_lee" } }));
        using var sp = services.BuildServiceProvider();

        var source = new PeopleSource(sp, () => (Dana, new[] { Dana }), sp.GetRequiredService<ILogger<PeopleSource>>());
        var lee = source.Current.AuthorOf(From(SystemId.Helpdesk, new Author("Lee", "lee@example.com", "hd_lee")));
        var dana = source.Current.AuthorOf(From(SystemId.Helpdesk, new Author("D", "dana@example.com", "hd_x")));

        Assert.Equal(new Person { Email = "lee@example.com", PylonUserId = "usr_lee", PylonContactId = "contact_lee", CordUserId = "cord_lee" }, lee);
        Assert.Equal("usr_dana", dana?.PylonUserId);
        var warning = Assert.Single(log.Lines);
        Assert.Contains("Sync:Pylon:UserIdsByEmail, Sync:Pylon:ContactIdsByEmail, Sync:Cord:UserIdsByEmail are deprecated", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void The_directory_is_indexed_again_only_when_the_configuration_changes()
    {
        using var sp = new ServiceCollection().AddLogging().BuildServiceProvider();
        object version = new();
        Person[] people = [Ana];
        var source = new PeopleSource(sp, () => (version, people), sp.GetRequiredService<ILogger<PeopleSource>>());
        var first = source.Current;

        Assert.Same(first, source.Current);
        (version, people) = (new object(), [Ana, Dana]);
        Assert.Equal(2, source.Current.Count);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }

    private sealed class ListLoggerFactory(ListLogger logger) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}
