"""importsub.analysis"""
