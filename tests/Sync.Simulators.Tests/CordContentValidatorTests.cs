using System.Text.Json.Nodes;
using MessageSync.Simulators;

namespace MessageSync.Simulators.Tests;

/// <summary>The node-shape check the content tests rely on: it must refuse what Cord's schema refuses.</summary>
public class CordContentValidatorTests
{
    private static JsonArray Parse(string json) => JsonNode.Parse(json)!.AsArray();

    [Theory]
    [InlineData("""[{"type":"p"}]""", "children")]
    [InlineData("""[{"type":"p","children":"x"}]""", "children")]
    [InlineData("""[{"type":"heading","children":[]}]""", "type")]
    [InlineData("""[{"children":[]}]""", "'text' or 'type'")]
    [InlineData("""[{"text":5}]""", "text")]
    [InlineData("""[{"text":"x","bold":"yes"}]""", "bold")]
    [InlineData("""[{"text":"x","children":[]}]""", "children")]
    [InlineData("""[{"text":"x","type":"h1"}]""", "type")]
    [InlineData("""[{"type":"link","children":[]}]""", "url")]
    [InlineData("""[{"type":"link","url":3,"children":[]}]""", "url")]
    [InlineData("""[{"type":"mention","children":[]}]""", "user")]
    [InlineData("""[{"type":"mention","user":{},"children":[]}]""", "id")]
    [InlineData("""[{"type":"mention","user":{"id":"u","name":"x"},"children":[]}]""", "name")]
    [InlineData("""[{"type":"assignee","user":"u","children":[]}]""", "user")]
    [InlineData("""[{"type":"number_bullet","children":[]}]""", "bulletNumber")]
    [InlineData("""[{"type":"bullet","indent":"1","children":[]}]""", "indent")]
    [InlineData("""[{"type":"todo","todoID":"t","children":[]}]""", "done")]
    [InlineData("""[{"type":"todo","done":false,"children":[]}]""", "todoID")]
    [InlineData("""[{"type":"todo","todoID":"t","done":"no","children":[]}]""", "done")]
    [InlineData("""[{"type":"p","children":[],"url":"x"}]""", "url")]
    [InlineData("""[{"type":"p","class":1,"children":[]}]""", "class")]
    [InlineData("""[42]""", "object")]
    [InlineData("""[{"type":"quote","children":[{"type":"p","children":[{"type":"code"}]}]}]""", "$[0].children[0].children[0].children")]
    public void Validate_rejects_malformed_nodes(string json, string mentions)
    {
        var errors = CordContentValidator.Validate(Parse(json));
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains(mentions, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_rejects_null_content() => Assert.NotEmpty(CordContentValidator.Validate(null));

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""[{"text":"x","type":"p","class":"c","bold":false}]""")]
    [InlineData("""[{"type":"bullet","class":"c","indent":1.5,"children":[]}]""")]
    [InlineData("""[{"type":"assignee","user":{"id":"u"},"children":[{"text":"@u"}]}]""")]
    public void Validate_accepts_optional_properties_the_schema_allows(string json)
        => Assert.Empty(CordContentValidator.Validate(Parse(json)));
}
