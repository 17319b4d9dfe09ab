"""importsub.cli"""
