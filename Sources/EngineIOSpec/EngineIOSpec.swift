// The vocabulary of Engine.IO: protocol enums, errors, disconnect reasons and every option with its default.
//
// Most of this module is generated from Spec/engineio.json by the SpecBuildPlugin (the reviewed copy is in
// Generated/EngineIOSpec/). The hand-written files in Support/ are the value types the spec's `custom:` options name.
@_exported public import EngineIOJSON
