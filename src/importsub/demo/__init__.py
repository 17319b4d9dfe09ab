"""importsub.demo"""
