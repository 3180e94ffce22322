// Package directives holds malformed directives.
package directives

// want +1 `unknown directive //charmkit:flag sets x \(want //charmkit:flags sets\|reads FLAG...\)`
//charmkit:flag sets x

// want +1 `malformed directive: want //charmkit:flags sets\|reads FLAG...`
//charmkit:flags set x

// want +1 `//charmkit:flags: flag family "{key}.x": unexpected "{" \(placeholders are {leader-key}, {config}, {endpoint}\)`
//charmkit:flags sets {key}.x
