// Package sealopt holds the settings shared by crumb's sealers. It is
// internal so that crumb.Option stays opaque: users set options only
// through crumb's With* functions, which validate them.
package sealopt
